import type { Command } from 'commander';
import { createHold } from '../services/money/hold-money.ts';
import { moneyText } from '../services/money/money-json.ts';
import { formatExpiry, HOLD_EXPIRY_DEFAULT_SECONDS } from '../services/money/parse-expiry.ts';
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

type Flags = CommonFlags & IdempotencyFlags & { expires?: string };

export function registerHold(program: Command): void {
  const command = program
    .command('hold')
    .description(
      'reserve money of one user for another until captured (wallet capture), voided (wallet void) or expired',
    )
    .argument('<from>', 'email or user id of the payer (the money is held on this wallet)')
    .argument('<to>', 'email or user id of the payee (gets it when captured)')
    .argument('<amount>', 'positive, at most 2 decimals, e.g. 5.25')
    .option(
      '--expires <duration>',
      `how long the hold lasts: seconds, or with s, m, h or d, 1s to 7d (default: ${formatExpiry(HOLD_EXPIRY_DEFAULT_SECONDS)})`,
    );
  addCommonOptions(addIdempotencyKeyOption(command, 'holds')).addHelpText(
    'after',
    examples([
      'wallet hold alice@example.com bob@example.com 20',
      'wallet hold alice@example.com bob@example.com 20 --expires 2h --json',
      'wallet hold 0b4c…-uuid bob@example.com 12.50 --expires 90s',
    ]),
  );
  command.action(async (from: string, to: string, amount: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const result = await withSpinner(output.stderr, 'holding…', output.interactive, () =>
        createHold(apis, {
          from,
          to,
          amount,
          idempotencyKey,
          ...(flags.expires === undefined ? {} : { expires: flags.expires }),
        }),
      );
      if (output.json) {
        output.document({
          ...holdJson(result.hold),
          from: {
            user_id: result.source.user_id,
            email: result.source.email,
            ...balancesJson(result.sender),
          },
          to: { user_id: result.target.user_id, email: result.target.email },
          idempotency_key: result.idempotencyKey,
          replayed: result.replayed,
        });
        return;
      }
      const { colors } = output;
      const replayed = replayedNote(colors, result.replayed);
      output.line(
        `${colors.green('✔')} held ${colors.bold(moneyText(result.hold.amountMinor))} of ${result.source.email} for ${result.target.email}${replayed}`,
      );
      output.line(holdLine(result.hold, colors));
      output.line(balancesLine(result.source.email, result.sender, colors));
    });
  });
}
