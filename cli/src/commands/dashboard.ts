import type { Command } from 'commander';
import { errorFor } from '../error-advice.ts';
import { runDashboard } from '../ui/dashboard/run-dashboard.tsx';
import { withContext } from './command-context.ts';
import { addCommonOptions, addKafkaOption, type CommonFlags, examples } from './common-options.ts';

type Flags = CommonFlags & { kafkaBrokers?: string };

export function registerDashboard(program: Command): void {
  const command = program
    .command('dashboard')
    .description('live balances, events, totals and health in the terminal (q quits)');
  addKafkaOption(addCommonOptions(command)).addHelpText(
    'after',
    `
Keys: q quit · ↑/↓ PgUp/PgDn scroll · / filter by email · a add money · w withdraw · t transfer
      h hold · Tab switches the lower part between recent events and open holds
Each row shows balance, held (reserved by pending holds), available (balance − held) and the
wallet's status (frozen, closed). Events apply in ledger order per wallet: a late one is ignored.
Under \`npm start -- --replicas N\` a line per replica under the header shows its own /readyz
(ready, not ready and why, unreachable), read from .wallet/services.json on every poll.
Needs an interactive terminal; elsewhere use \`wallet events --follow\`.
${examples(['wallet dashboard', 'wallet dashboard --kafka-brokers 127.0.0.1:9092'])}`,
  );
  command.action(async (flags: Flags) => {
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      throw errorFor('NO_TTY', 'wallet dashboard needs an interactive terminal (stdin and stdout a TTY)');
    }
    await withContext(flags, ({ settings, apis }) => runDashboard(settings, apis));
  });
}
