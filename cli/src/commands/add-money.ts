import type { Command } from 'commander';
import { addMoney } from '../services/money/add-money.ts';
import { moneyText } from '../services/money/money-json.ts';
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

export function registerAddMoney(program: Command): void {
  const command = program
    .command('add-money')
    .description('deposit money into a user’s wallet')
    .argument('<user>', 'email or user id')
    .argument('<amount>', 'positive, at most 2 decimals, e.g. 12.50');
  addCommonOptions(addIdempotencyKeyOption(command, 'deposits')).addHelpText(
    'after',
    examples([
      'wallet add-money alice@example.com 25',
      'wallet add-money 0b4c…-uuid 12.50 --json',
      'wallet add-money alice@example.com 10 --idempotency-key 6f1d2c3e-deposit-1',
    ]),
  );
  command.action(async (user: string, amount: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const result = await withSpinner(output.stderr, 'adding money…', output.interactive, () =>
        addMoney(apis, { user, amount, idempotencyKey }),
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
        `${colors.green('✔')} added ${colors.bold(moneyText(result.amountMinor))} to ${result.user.email}${replayed}`,
      );
      output.line(
        `  balance ${colors.bold(moneyText(result.balanceMinor))}  ${colors.dim(`transaction ${result.transactionId}`)}`,
      );
    });
  });
}
