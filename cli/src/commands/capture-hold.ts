import type { Command } from 'commander';
import { captureHold } from '../services/money/hold-money.ts';
import { moneyText } from '../services/money/money-json.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import { balancesJson, holdJson, holdLine } from './hold-output.ts';
import {
  addIdempotencyKeyOption,
  type IdempotencyFlags,
  idempotencyKeyOf,
  replayedNote,
} from './idempotency-option.ts';

type Flags = CommonFlags & IdempotencyFlags;

export function registerCaptureHold(program: Command): void {
  const command = program
    .command('capture')
    .description('move a pending hold’s money to its payee: all of it, or part (the rest is released)')
    .argument('<hold-id>', 'the hold’s id (wallet hold prints it; wallet holds <user> lists them)')
    .argument('[amount]', 'at most the hold’s amount (default: all of it)');
  addCommonOptions(addIdempotencyKeyOption(command, 'captures')).addHelpText(
    'after',
    examples(['wallet capture 1f2e…-hold-id', 'wallet capture 1f2e…-hold-id 12.50 --json']),
  );
  command.action(async (holdId: string, amount: string | undefined, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const result = await withSpinner(output.stderr, 'capturing…', output.interactive, () =>
        captureHold(apis, { holdId, idempotencyKey, ...(amount === undefined ? {} : { amount }) }),
      );
      const { hold } = result;
      const capturedMinor = hold.capturedMinor ?? 0n;
      const releasedMinor = hold.amountMinor - capturedMinor;
      const toBalanceMinor = result.toBalanceMinor;
      if (output.json) {
        output.document({
          ...holdJson(hold),
          released_amount: moneyText(releasedMinor),
          from: { user_id: hold.fromUserId, email: result.fromEmail, ...balancesJson(result.sender) },
          to: {
            user_id: hold.toUserId,
            email: result.toEmail,
            balance: toBalanceMinor === null ? null : moneyText(toBalanceMinor),
          },
          idempotency_key: result.idempotencyKey,
          replayed: result.replayed,
        });
        return;
      }
      const { colors } = output;
      const fromName = result.fromEmail ?? hold.fromUserId;
      const toName = result.toEmail ?? hold.toUserId;
      const released = releasedMinor > 0n ? ` (released ${moneyText(releasedMinor)})` : '';
      output.line(
        `${colors.green('✔')} captured ${colors.bold(moneyText(capturedMinor))} from ${fromName} to ${toName}${released}${replayedNote(colors, result.replayed)}`,
      );
      output.table(
        [
          { header: 'user' },
          { header: 'balance', align: 'right' },
          { header: 'held', align: 'right' },
          { header: 'available', align: 'right' },
        ],
        [
          [
            fromName,
            moneyText(result.sender.balanceMinor),
            moneyText(result.sender.heldMinor),
            moneyText(result.sender.availableMinor),
          ],
          [toName, toBalanceMinor === null ? '' : moneyText(toBalanceMinor), '', ''],
        ],
      );
      output.line(holdLine(hold, colors));
      if (hold.transferId) output.line(colors.dim(`  transfer ${hold.transferId}`));
    });
  });
}
