import type { Command } from 'commander';
import { voidHold } from '../services/money/hold-money.ts';
import { moneyText } from '../services/money/money-json.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import { balancesJson, balancesLine, holdJson, holdLine } from './hold-output.ts';
import {
  addIdempotencyKeyOption,
  type IdempotencyFlags,
  idempotencyKeyOf,
  replayedNote,
} from './idempotency-option.ts';

type Flags = CommonFlags & IdempotencyFlags;

export function registerVoidHold(program: Command): void {
  const command = program
    .command('void')
    .description('release a pending hold: the money stays with the payer')
    .argument('<hold-id>', 'the hold’s id (wallet hold prints it; wallet holds <user> lists them)');
  addCommonOptions(addIdempotencyKeyOption(command, 'voids')).addHelpText(
    'after',
    examples(['wallet void 1f2e…-hold-id', 'wallet void 1f2e…-hold-id --json']),
  );
  command.action(async (holdId: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const result = await withSpinner(output.stderr, 'voiding…', output.interactive, () =>
        voidHold(apis, { holdId, idempotencyKey }),
      );
      const { hold } = result;
      if (output.json) {
        output.document({
          ...holdJson(hold),
          from: { user_id: hold.fromUserId, email: result.fromEmail, ...balancesJson(result.sender) },
          to: { user_id: hold.toUserId, email: result.toEmail },
          idempotency_key: result.idempotencyKey,
          replayed: result.replayed,
        });
        return;
      }
      const { colors } = output;
      const fromName = result.fromEmail ?? hold.fromUserId;
      output.line(
        `${colors.green('✔')} voided the hold of ${colors.bold(moneyText(hold.amountMinor))} from ${fromName} to ${result.toEmail ?? hold.toUserId}${replayedNote(colors, result.replayed)}`,
      );
      output.line(holdLine(hold, colors));
      output.line(balancesLine(fromName, result.sender, colors));
    });
  });
}
