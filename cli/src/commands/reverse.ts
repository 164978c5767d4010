import type { Command } from 'commander';
import { moneyText } from '../services/money/money-json.ts';
import { type ReversalOutcome, reverseMoney } from '../services/money/reverse-money.ts';
import type { Output } from '../ui/output.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import {
  addIdempotencyKeyOption,
  type IdempotencyFlags,
  idempotencyKeyOf,
  replayedNote,
} from './idempotency-option.ts';

type Flags = CommonFlags & IdempotencyFlags & { reason?: string };

export function registerReverse(program: Command): void {
  const command = program
    .command('reverse')
    .description(
      'undo a transfer (money goes back to its payer) or a deposit (a charge-back), in full or in part',
    )
    .argument(
      '<transfer-or-deposit-id>',
      'a transfer id, or a deposit’s transaction id (wallet history --json)',
    )
    .argument('[amount]', 'at most what remains of the original (default: all that remains)')
    .option('--reason <text>', 'why, kept with the reversal');
  addCommonOptions(addIdempotencyKeyOption(command, 'reverses')).addHelpText(
    'after',
    examples([
      'wallet reverse 7a1c…-transfer-id',
      'wallet reverse 7a1c…-transfer-id 5.00 --reason "duplicate order"',
      'wallet reverse 3e9d…-deposit-id --reason chargeback --json',
    ]),
  );
  command.action(async (id: string, amount: string | undefined, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const outcome = await withSpinner(output.stderr, 'reversing…', output.interactive, () =>
        reverseMoney(apis, {
          id,
          idempotencyKey,
          ...(amount === undefined ? {} : { amount }),
          ...(flags.reason === undefined ? {} : { reason: flags.reason }),
        }),
      );
      if (outcome.kind === 'transfer') printTransferReversal(outcome, output);
      else printDepositReversal(outcome, output);
    });
  });
}

function printTransferReversal(
  outcome: Extract<ReversalOutcome, { kind: 'transfer' }>,
  output: Output,
): void {
  const { reversal, emails } = outcome;
  const email = (id: string) => emails.get(id) ?? null;
  if (output.json) {
    output.document({
      kind: 'transfer',
      reversal_id: reversal.reversalId,
      transfer_id: reversal.transferId,
      amount: moneyText(reversal.amountMinor),
      reversed_total: moneyText(reversal.reversedTotalMinor),
      remaining: moneyText(reversal.remainingMinor),
      from: {
        user_id: reversal.fromUserId,
        email: email(reversal.fromUserId),
        balance: moneyText(reversal.fromBalanceMinor),
        available_balance: moneyText(reversal.fromAvailableMinor),
      },
      to: {
        user_id: reversal.toUserId,
        email: email(reversal.toUserId),
        balance: moneyText(reversal.toBalanceMinor),
      },
      idempotency_key: outcome.idempotencyKey,
      replayed: reversal.replayed,
    });
    return;
  }
  const { colors } = output;
  const fromName = email(reversal.fromUserId) ?? reversal.fromUserId;
  const toName = email(reversal.toUserId) ?? reversal.toUserId;
  output.line(
    `${colors.green('✔')} reversed ${colors.bold(moneyText(reversal.amountMinor))} of transfer ${reversal.transferId}: back from ${fromName} to ${toName}${replayedNote(colors, reversal.replayed)}`,
  );
  output.table(
    [{ header: 'user' }, { header: 'balance', align: 'right' }],
    [
      [fromName, moneyText(reversal.fromBalanceMinor)],
      [toName, moneyText(reversal.toBalanceMinor)],
    ],
  );
  output.line(remainingLine(reversal.reversedTotalMinor, reversal.remainingMinor));
  output.line(colors.dim(`reversal ${reversal.reversalId}`));
}

function printDepositReversal(outcome: Extract<ReversalOutcome, { kind: 'deposit' }>, output: Output): void {
  const { reversal } = outcome;
  const email = outcome.emails.get(reversal.userId) ?? null;
  if (output.json) {
    output.document({
      kind: 'deposit',
      reversal_id: reversal.reversalId,
      transaction_id: reversal.transactionId,
      user_id: reversal.userId,
      email,
      amount: moneyText(reversal.amountMinor),
      reversed_total: moneyText(reversal.reversedTotalMinor),
      remaining: moneyText(reversal.remainingMinor),
      balance: moneyText(reversal.balanceMinor),
      available_balance: moneyText(reversal.availableMinor),
      idempotency_key: outcome.idempotencyKey,
      replayed: reversal.replayed,
    });
    return;
  }
  const { colors } = output;
  output.line(
    `${colors.green('✔')} reversed ${colors.bold(moneyText(reversal.amountMinor))} of the deposit ${reversal.transactionId} to ${email ?? reversal.userId}${replayedNote(colors, reversal.replayed)}`,
  );
  output.line(
    `  balance ${colors.bold(moneyText(reversal.balanceMinor))}  available ${moneyText(reversal.availableMinor)}`,
  );
  output.line(remainingLine(reversal.reversedTotalMinor, reversal.remainingMinor));
  output.line(colors.dim(`reversal ${reversal.reversalId}`));
}

function remainingLine(reversedTotalMinor: bigint, remainingMinor: bigint): string {
  return `  reversed so far ${moneyText(reversedTotalMinor)}, ${moneyText(remainingMinor)} remains reversible`;
}
