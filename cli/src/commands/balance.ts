import type { Command } from 'commander';
import { moneyText } from '../services/money/money-json.ts';
import { resolveUser } from '../services/users/resolve-user.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';

export function registerBalance(program: Command): void {
  const command = program
    .command('balance')
    .description('show a user’s balance')
    .argument('<user>', 'email or user id');
  addCommonOptions(command).addHelpText(
    'after',
    examples(['wallet balance alice@example.com', 'wallet balance alice@example.com --json']),
  );
  command.action(async (userText: string, flags: CommonFlags) => {
    await withContext(flags, async ({ apis, output }) => {
      // getBalance is asked by email: it goes through user-service, the public way in.
      const user = await resolveUser(apis.users, userText);
      const balance = await apis.users.getBalance(user.email);
      if (output.json) {
        output.document({
          user_id: balance.userId,
          email: balance.email,
          balance: moneyText(balance.balanceMinor),
        });
        return;
      }
      output.table(
        [{ header: 'email' }, { header: 'user id' }, { header: 'balance', align: 'right' }],
        [[balance.email, balance.userId, moneyText(balance.balanceMinor)]],
      );
    });
  });
}
