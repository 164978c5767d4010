import type { Command } from 'commander';
import type { WalletStatusAction } from '../services/api/transactions-api.ts';
import { changeWalletStatus } from '../services/money/change-wallet-status.ts';
import { moneyText } from '../services/money/money-json.ts';
import { withSpinner } from '../ui/spinner.ts';
import { withContext } from './command-context.ts';
import { addCommonOptions, type CommonFlags, examples } from './common-options.ts';
import { addIdempotencyKeyOption, type IdempotencyFlags, idempotencyKeyOf } from './idempotency-option.ts';

type Flags = CommonFlags & IdempotencyFlags & { reason?: string };

type StatusCommand = {
  action: WalletStatusAction;
  description: string;
  /** What the ✔ line says was done: "froze", "unfroze", "closed". */
  done: string;
  reasonRequired: boolean;
  examples: string[];
};

const STATUS_COMMANDS: StatusCommand[] = [
  {
    action: 'freeze',
    description: 'stop all money out of a wallet (withdraw, transfer, hold, capture); money in still lands',
    done: 'froze',
    reasonRequired: true,
    examples: ['wallet freeze alice@example.com --reason "fraud review #1234"'],
  },
  {
    action: 'unfreeze',
    description: 'let money leave a frozen wallet again',
    done: 'unfroze',
    reasonRequired: false,
    examples: [
      'wallet unfreeze alice@example.com',
      'wallet unfreeze alice@example.com --reason cleared --json',
    ],
  },
  {
    action: 'close',
    description: 'close a wallet for good (only at zero balance with no pending holds); it stays readable',
    done: 'closed',
    reasonRequired: false,
    examples: ['wallet close alice@example.com --reason "customer left"'],
  },
];

/** `wallet freeze|unfreeze|close <user>`: operator tokens only. */
export function registerWalletStatus(program: Command): void {
  for (const spec of STATUS_COMMANDS) registerOne(program, spec);
}

function registerOne(program: Command, spec: StatusCommand): void {
  const command = program
    .command(spec.action)
    .description(spec.description)
    .argument('<user>', 'email or user id');
  if (spec.reasonRequired)
    command.requiredOption('--reason <text>', 'why (kept with the wallet and in the event)');
  else command.option('--reason <text>', 'why (kept with the wallet and in the event)');
  addCommonOptions(addIdempotencyKeyOption(command, `${spec.action}s`)).addHelpText(
    'after',
    examples(spec.examples),
  );
  command.action(async (user: string, flags: Flags) => {
    await withContext(flags, async ({ apis, output }) => {
      const result = await withSpinner(output.stderr, `${spec.action}…`, output.interactive, () =>
        changeWalletStatus(apis, {
          user,
          action: spec.action,
          idempotencyKey: idempotencyKeyOf(flags),
          ...(flags.reason === undefined ? {} : { reason: flags.reason }),
        }),
      );
      const { wallet } = result;
      if (output.json) {
        output.document({
          user_id: result.user.user_id,
          email: result.user.email,
          status: wallet.status,
          status_reason: wallet.statusReason,
          balance: moneyText(wallet.balanceMinor),
          held: moneyText(wallet.heldMinor),
          available_balance: moneyText(wallet.availableMinor),
          idempotency_key: result.idempotencyKey,
        });
        return;
      }
      const { colors } = output;
      const reason = wallet.statusReason ? `: ${wallet.statusReason}` : '';
      output.line(`${colors.green('✔')} ${spec.done} the wallet of ${result.user.email}${reason}`);
      output.line(
        `  status ${colors.bold(wallet.status)}  balance ${moneyText(wallet.balanceMinor)}  held ${moneyText(wallet.heldMinor)}  available ${moneyText(wallet.availableMinor)}`,
      );
    });
  });
}
