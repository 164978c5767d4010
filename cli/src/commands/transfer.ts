import type { Command } from 'commander';
import { moneyText } from '../services/money/money-json.ts';
import { transferMoney } from '../services/money/transfer-money.ts';
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

export function registerTransfer(program: Command): void {
  const command = program
    .command('transfer')
    .description('move money from one user to another')
    .argument('<from>', 'email or user id of the payer')
    .argument('<to>', 'email or user id of the payee')
    .argument('<amount>', 'positive, at most 2 decimals, e.g. 5.25');
  addCommonOptions(addIdempotencyKeyOption(command, 'transfers')).addHelpText(
    'after',
    examples([
      'wallet transfer alice@example.com bob@example.com 5.25',
      'wallet transfer alice@example.com bob@example.com 10 --json',
    ]),
  );
  command.action(async (from: string, to: string, amount: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const result = await withSpinner(output.stderr, 'transferring…', output.interactive, () =>
        transferMoney(apis, { from, to, amount, idempotencyKey }),
      );
      const targetName = result.target.email ?? result.target.user_id;
      // null with a user token: the platform does not tell a payer the payee's balance.
      const targetBalance = result.targetBalanceMinor === null ? null : moneyText(result.targetBalanceMinor);
      if (output.json) {
        output.document({
          transfer_id: result.transferId,
          from: {
            user_id: result.source.user_id,
            email: result.source.email,
            balance: moneyText(result.sourceBalanceMinor),
            available_balance: moneyText(result.sourceAvailableMinor),
          },
          to: {
            user_id: result.target.user_id,
            email: result.target.email,
            balance: targetBalance,
          },
          amount: moneyText(result.amountMinor),
          idempotency_key: result.idempotencyKey,
          replayed: result.replayed,
        });
        return;
      }
      const { colors } = output;
      const replayed = replayedNote(colors, result.replayed);
      output.line(
        `${colors.green('✔')} transferred ${colors.bold(moneyText(result.amountMinor))} from ${result.source.email} to ${targetName}${replayed}`,
      );
      output.table(
        [{ header: 'user' }, { header: 'balance', align: 'right' }],
        [
          [result.source.email, moneyText(result.sourceBalanceMinor)],
          ...(targetBalance === null ? [] : [[targetName, targetBalance]]),
        ],
      );
      output.line(colors.dim(`transfer ${result.transferId}`));
    });
  });
}
