import type { Command } from 'commander';
import { PAGE_LIMIT_DEFAULT } from '../../../services/shared/src/contracts/common.ts';
import { listUsers, USERS_LISTED_MAX } from '../services/users/list-users.ts';
import { shortTime } from '../ui/format-time.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import { parseLimit } from './parse-limit.ts';

type Flags = CommonFlags & { limit: number; all: boolean; cursor?: string };

export function registerUsers(program: Command): void {
  const command = program
    .command('users')
    .description('list users, oldest first')
    .option('--limit <n>', 'how many (1-500)', parseLimit, PAGE_LIMIT_DEFAULT)
    .option('--all', `every user (up to ${USERS_LISTED_MAX})`, false)
    .option('--cursor <cursor>', 'continue after a previous page (its next_cursor)');
  addCommonOptions(command).addHelpText(
    'after',
    examples(['wallet users', 'wallet users --limit 10', 'wallet users --all --json']),
  );
  command.action(async (flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const listing = await withSpinner(output.stderr, 'loading users…', output.interactive, () =>
        listUsers(apis, {
          limit: flags.limit,
          all: flags.all,
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        }),
      );
      if (output.json) {
        output.document({
          users: listing.users,
          next_cursor: listing.nextCursor,
          truncated: listing.truncated,
        });
        return;
      }
      if (listing.users.length === 0) {
        output.line('no users yet: wallet create-user <email>');
        return;
      }
      output.table(
        [{ header: 'email' }, { header: 'user id' }, { header: 'created (UTC)' }],
        listing.users.map((user) => [user.email, user.user_id, shortTime(user.created_at)]),
      );
      if (listing.nextCursor !== null) {
        output.line(output.colors.dim(`more: wallet users --cursor ${listing.nextCursor}   (or --all)`));
      }
    });
  });
}
