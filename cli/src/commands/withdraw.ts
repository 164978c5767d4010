import type { Command } from 'commander';
import { moneyText } from '../services/money/money-json.ts';
import { withdrawMoney } from '../services/money/withdraw-money.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import {
  addIdempotencyKeyOption,
  type IdempotencyFlags,
  idempotencyKeyOf,
  replayedNote,
} from './idempotency-option.ts';

type Flags = CommonFlags & IdempotencyFlags;

export function registerWithdraw(program: Command): void {
  const command = program
    .command('withdraw')
    .description('pay money out of a user’s wallet (at most its available balance)')
    .argument('<user>', 'email or user id')
    .argument('<amount>', 'positive, at most 2 decimals, e.g. 12.50');
  addCommonOptions(addIdempotencyKeyOption(command, 'pays out')).addHelpText(
    'after',
    examples([
      'wallet withdraw alice@example.com 25',
      'wallet withdraw 0b4c…-uuid 12.50 --json',
      'wallet withdraw alice@example.com 10 --idempotency-key 6f1d2c3e-payout-1',
    ]),
  );
  command.action(async (user: string, amount: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const result = await withSpinner(output.stderr, 'withdrawing…', output.interactive, () =>
        withdrawMoney(apis, { user, amount, idempotencyKey }),
      );
      if (output.json) {
        output.document({
          transaction_id: result.transactionId,
          user_id: result.user.user_id,
          email: result.user.email,
          amount: moneyText(result.amountMinor),
          balance: moneyText(result.balanceMinor),
          available_balance: moneyText(result.availableMinor),
          idempotency_key: result.idempotencyKey,
          replayed: result.replayed,
        });
        return;
      }
      const { colors } = output;
      const replayed = replayedNote(colors, result.replayed);
      output.line(
        `${colors.green('✔')} withdrew ${colors.bold(moneyText(result.amountMinor))} from ${result.user.email}${replayed}`,
      );
      output.line(
        `  balance ${colors.bold(moneyText(result.balanceMinor))}  available ${moneyText(result.availableMinor)}  ${colors.dim(`transaction ${result.transactionId}`)}`,
      );
    });
  });
}
