import type { Command } from 'commander';
import type { WalletStatus } from '../services/api/transactions-api.ts';
import { moneyText } from '../services/money/money-json.ts';
import { resolveUser } from '../services/users/resolve-user.ts';
import type { Colors } from '../ui/colors.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';

export function registerBalance(program: Command): void {
  const command = program
    .command('balance')
    .description('show a user’s balance, held money, available balance and wallet status')
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
          held: moneyText(balance.heldMinor),
          available_balance: moneyText(balance.availableMinor),
          status: balance.status,
        });
        return;
      }
      output.table(
        [
          { header: 'email' },
          { header: 'user id' },
          { header: 'balance', align: 'right' },
          { header: 'held', align: 'right' },
          { header: 'available', align: 'right' },
          { header: 'status' },
        ],
        [
          [
            balance.email,
            balance.userId,
            moneyText(balance.balanceMinor),
            moneyText(balance.heldMinor),
            moneyText(balance.availableMinor),
            statusText(balance.status, output.colors),
          ],
        ],
      );
    });
  });
}

/** "active" plain; "frozen" in yellow and "closed" in red, so a stopped wallet stands out. */
function statusText(status: WalletStatus, colors: Colors): string {
  if (status === 'frozen') return colors.yellow(status);
  if (status === 'closed') return colors.red(status);
  return status;
}
