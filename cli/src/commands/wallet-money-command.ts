import type { Command } from 'commander';
import { moneyText } from '../services/money/money-json.ts';
import { moveWalletMoney, type WalletMoneyDirection } from '../services/money/wallet-money.ts';
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

/** How add-money and withdraw differ: their name, their words, their examples. */
export type WalletMoneyCommandSpec = {
  name: string;
  direction: WalletMoneyDirection;
  description: string;
  /** "a repeated command <verb> once", for the idempotency option's help. */
  verb: string;
  spinner: string;
  /** "added 5.00 to ann@…" / "withdrew 5.00 from ann@…" */
  done: (amount: string, email: string) => string;
  examples: string[];
};

/** `wallet add-money` and `wallet withdraw`: one wallet, one amount, one idempotency key. */
export function registerWalletMoneyCommand(program: Command, spec: WalletMoneyCommandSpec): void {
  const command = program
    .command(spec.name)
    .description(spec.description)
    .argument('<user>', 'email or user id')
    .argument('<amount>', 'positive, at most 2 decimals, e.g. 12.50');
  addCommonOptions(addIdempotencyKeyOption(command, spec.verb)).addHelpText('after', examples(spec.examples));
  command.action(async (user: string, amount: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const idempotencyKey = idempotencyKeyOf(flags);
      const result = await withSpinner(output.stderr, spec.spinner, output.interactive, () =>
        moveWalletMoney(apis, spec.direction, { user, amount, idempotencyKey }),
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
        `${colors.green('✔')} ${spec.done(colors.bold(moneyText(result.amountMinor)), result.user.email)}${replayed}`,
      );
      output.line(
        `  balance ${colors.bold(moneyText(result.balanceMinor))}  available ${moneyText(result.availableMinor)}  ${colors.dim(`transaction ${result.transactionId}`)}`,
      );
    });
  });
}
