import { type Command, Option } from 'commander';
import { PAGE_LIMIT_DEFAULT } from '../../../services/shared/src/contracts/common.ts';
import { holdStatusSchema } from '../../../services/shared/src/contracts/transactions-api.ts';
import type { HoldStatus } from '../services/api/transactions-api.ts';
import { counterpartyOf, listHolds } from '../services/money/list-holds.ts';
import { moneyText } from '../services/money/money-json.ts';
import { shortTime } from '../ui/format-time.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import { holdJson, holdStatusText } from './hold-output.ts';
import { parseLimit } from './parse-limit.ts';

type Flags = CommonFlags & { status?: HoldStatus; limit: number; cursor?: string };

export function registerHolds(program: Command): void {
  const command = program
    .command('holds')
    .description('list the holds a user pays or receives, newest first')
    .argument('<user>', 'email or user id')
    .addOption(new Option('--status <status>', 'only holds in this state').choices(holdStatusSchema.options))
    .option('--limit <n>', 'how many (1-500)', parseLimit, PAGE_LIMIT_DEFAULT)
    .option('--cursor <cursor>', 'continue after a previous page (its next_cursor)');
  addCommonOptions(command).addHelpText(
    'after',
    examples([
      'wallet holds alice@example.com',
      'wallet holds alice@example.com --status pending',
      'wallet holds alice@example.com --limit 5 --json',
    ]),
  );
  command.action(async (user: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const listing = await withSpinner(output.stderr, 'loading holds…', output.interactive, () =>
        listHolds(apis, {
          user,
          limit: flags.limit,
          ...(flags.status ? { status: flags.status } : {}),
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        }),
      );
      const userId = listing.user.user_id;
      const nameOf = (id: string) => listing.counterpartyEmails.get(id) ?? id;
      if (output.json) {
        output.document({
          user_id: userId,
          email: listing.user.email,
          holds: listing.holds.map((hold) => ({
            ...holdJson(hold),
            direction: hold.fromUserId === userId ? 'out' : 'in',
            counterparty_email: listing.counterpartyEmails.get(counterpartyOf(hold, userId)) ?? null,
          })),
          next_cursor: listing.nextCursor,
        });
        return;
      }
      if (listing.holds.length === 0) {
        const which = flags.status ? `${flags.status} ` : '';
        output.line(`no ${which}holds for ${listing.user.email}`);
        return;
      }
      const { colors } = output;
      output.table(
        [
          { header: 'created' },
          { header: 'hold id' },
          { header: 'amount', align: 'right' },
          { header: 'captured', align: 'right' },
          { header: 'status' },
          { header: 'expires' },
          { header: 'counterparty' },
        ],
        listing.holds.map((hold) => [
          shortTime(hold.createdAt),
          hold.holdId,
          hold.fromUserId === userId ? `-${moneyText(hold.amountMinor)}` : `+${moneyText(hold.amountMinor)}`,
          hold.capturedMinor === null ? '' : moneyText(hold.capturedMinor),
          holdStatusText(hold.status, colors),
          shortTime(hold.expiresAt),
          `${hold.fromUserId === userId ? '→' : '←'} ${nameOf(counterpartyOf(hold, userId))}`,
        ]),
      );
      if (listing.nextCursor !== null) {
        const status = flags.status ? ` --status ${flags.status}` : '';
        output.line(
          colors.dim(`more: wallet holds ${listing.user.email}${status} --cursor ${listing.nextCursor}`),
        );
      }
    });
  });
}
