import type { Command } from 'commander';
import type { BalanceAt, WalletStatus } from '../services/api/transactions-api.ts';
import type { UserView } from '../services/api/users-api.ts';
import { moneyText } from '../services/money/money-json.ts';
import { checkTime } from '../services/money/statement.ts';
import { resolveUser } from '../services/users/resolve-user.ts';
import type { Colors } from '../ui/colors.ts';
import type { Output } from '../ui/output.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';

export function registerBalance(program: Command): void {
  const command = program
    .command('balance')
    .description('show a user’s balance, held money, available balance and wallet status')
    .argument('<user>', 'email or user id')
    .option(
      '--at <time>',
      'the balance at that moment, from the ledger (RFC 3339, e.g. 2026-11-01T00:00:00Z)',
    );
  addCommonOptions(command).addHelpText(
    'after',
    examples([
      'wallet balance alice@example.com',
      'wallet balance alice@example.com --json',
      'wallet balance alice@example.com --at 2026-11-01T00:00:00Z',
    ]),
  );
  command.action(async (userText: string, flags: CommonFlags & { at?: string }) => {
    const at = flags.at === undefined ? undefined : checkTime(flags.at, '--at');
    await withContext(flags, async ({ apis, output }) => {
      const user = await resolveUser(apis.users, userText);
      if (at !== undefined) {
        // A past balance is read from the ledger, which transactions-service keeps.
        printBalanceAt(output, user, await apis.transactions.balanceAt(user.user_id, at));
        return;
      }
      // getBalance is asked by email: it goes through user-service, the public way in.
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

function printBalanceAt(output: Output, user: UserView, balance: BalanceAt): void {
  if (output.json) {
    output.document({
      user_id: balance.userId,
      email: user.email,
      at: balance.at,
      balance: moneyText(balance.balanceMinor),
      held: moneyText(balance.heldMinor),
      available_balance: moneyText(balance.availableMinor),
      as_of_transaction_id: balance.asOfTransactionId,
    });
    return;
  }
  output.table(
    [
      { header: 'email' },
      { header: 'at' },
      { header: 'balance', align: 'right' },
      { header: 'held', align: 'right' },
      { header: 'available', align: 'right' },
      { header: 'as of transaction' },
    ],
    [
      [
        user.email,
        balance.at,
        moneyText(balance.balanceMinor),
        moneyText(balance.heldMinor),
        moneyText(balance.availableMinor),
        balance.asOfTransactionId ?? output.colors.dim('none yet'),
      ],
    ],
  );
}

/** "active" plain; "frozen" in yellow and "closed" in red, so a stopped wallet stands out. */
function statusText(status: WalletStatus, colors: Colors): string {
  if (status === 'frozen') return colors.yellow(status);
  if (status === 'closed') return colors.red(status);
  return status;
}
