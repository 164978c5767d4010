import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { moneyText } from '../services/money/money-json.ts';
import { createUserAndWait } from '../services/users/create-user.ts';
import { WALLET_OPEN_WAIT_MS_MAX } from '../services/users/wait-for-wallet.ts';
import { startSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';

type Flags = CommonFlags & { wait: boolean; idempotencyKey?: string };

export function registerCreateUser(program: Command): void {
  const command = program
    .command('create-user')
    .description(
      `create a user and wait (up to ${WALLET_OPEN_WAIT_MS_MAX / 1_000} s) until the wallet is open`,
    )
    .argument('<email>', 'the new user’s email address')
    .option('--no-wait', 'return as soon as the user exists, without waiting for the wallet')
    .option('--idempotency-key <key>', 'reuse a key to make a retried create safe (default: a new UUID)');
  addCommonOptions(command).addHelpText(
    'after',
    examples(['wallet create-user alice@example.com', 'wallet create-user bob@example.com --no-wait --json']),
  );
  command.action(async (email: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      let spinner = { stop() {} };
      const created = await createUserAndWait(apis, email, {
        wait: flags.wait,
        idempotencyKey: flags.idempotencyKey ?? randomUUID(),
        onWaiting: () => {
          spinner = startSpinner(output.stderr, `opening the wallet of ${email}…`, output.interactive);
        },
      }).finally(() => spinner.stop());
      const { user } = created;
      if (output.json) {
        output.document({
          user_id: user.user_id,
          email: user.email,
          created_at: user.created_at,
          wallet: created.wallet,
          ...(created.balanceMinor === undefined ? {} : { balance: moneyText(created.balanceMinor) }),
        });
        return;
      }
      const { colors } = output;
      output.line(`${colors.green('✔')} created ${colors.bold(user.email)}  ${colors.dim(user.user_id)}`);
      output.line(
        created.wallet === 'open'
          ? `  wallet open, balance ${moneyText(created.balanceMinor ?? 0n)}`
          : '  wallet opening in the background (check with `wallet balance`)',
      );
    });
  });
}
