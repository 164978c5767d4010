import { parseArgs } from 'node:util';
import {
  ensureKafkaJars,
  postgresNodeCount,
  type StackState,
  type StackStatus,
  stackDown,
  stackStatus,
  stackUp,
} from './index.ts';
import { hideKnownWarnings } from './known-warnings.ts';
import { redactUrl } from './postgres-client.ts';

const usage = `usage: npm run stack -- <up|down|status> [--dir DIR] [--json] [--fast] [--purge] [--quiet]
                                         [--kafka-brokers N] [--ha] [--postgres-nodes N]

  up       start PostgreSQL, NATS and Kafka (or reuse them if already up) and print their settings
  down     stop them; data stays unless --purge
  status   show which parts run, their pids and addresses
  jars     fetch the Kafka jars into the cache (once; bootstrap.sh runs this)

  --dir    stack data dir (default: $WALLET_HOME or <repo>/.wallet)
  --json   print machine-readable JSON on stdout
  --fast   durability off (fsync) for a throwaway stack
  --purge  with down: delete the stack's data too
  --kafka-brokers  with up: 1, or 3 for a KRaft cluster (replication factor 3, min ISR 2);
                   default: what ran last in the dir, else 1
  --ha     with up: PostgreSQL highly available: Patroni nodes with synchronous replication,
           a three-member etcd, HAProxy's read-write port following the leader (--postgres-nodes N,
           default 2); \`--postgres-nodes 1\` goes back to the single server. Default: what ran last`;

async function main(): Promise<number> {
  hideKnownWarnings();
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      fast: { type: 'boolean', default: false },
      purge: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'kafka-brokers': { type: 'string' },
      ha: { type: 'boolean', default: false },
      'postgres-nodes': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command] = positionals;
  if (values.help) return print(usage, 0);
  if (command === 'up') {
    const kafkaBrokers = values['kafka-brokers'] === undefined ? undefined : Number(values['kafka-brokers']);
    const postgresNodes = postgresNodeCount(values.ha, values['postgres-nodes']);
    const state = await stackUp({
      dir: values.dir,
      fast: values.fast,
      quiet: values.quiet,
      kafkaBrokers,
      postgresNodes,
    });
    return print(values.json ? JSON.stringify(state, null, 2) : describeState(state), 0);
  }
  if (command === 'down') {
    await stackDown({ dir: values.dir, purge: values.purge });
    return print(values.json ? JSON.stringify({ down: true }) : 'stack down', 0);
  }
  if (command === 'jars') {
    const libsDir = await ensureKafkaJars({
      log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    return values.quiet ? 0 : print(libsDir, 0);
  }
  if (command === 'status') {
    const status = await stackStatus({ dir: values.dir });
    const allUp = status.postgres.up && status.nats.up && status.kafka.up;
    return print(values.json ? JSON.stringify(status, null, 2) : describeStatus(status), allUp ? 0 : 3);
  }
  process.stderr.write(`${command ? `unknown command: ${command}\n` : ''}${usage}\n`);
  return 2;
}

function describeState(state: StackState): string {
  return [
    `stack dir: ${state.dir}`,
    '',
    '# connection settings (paste into your shell or .env)',
    `DATABASE_ADMIN_URL=${state.postgres.adminUrl}`,
    `USER_SERVICE_DATABASE_URL=${state.postgres.databases.users}`,
    `TRANSACTIONS_SERVICE_DATABASE_URL=${state.postgres.databases.transactions}`,
    `NATS_URL=${state.nats.url}`,
    `KAFKA_BROKERS=${state.kafka.brokers.join(',')}`,
    '',
    `postgres  ${redactUrl(state.postgres.adminUrl)}  ${origin(state.postgres)}${state.postgres.ha ? `, ${state.postgres.ha.nodes} nodes under Patroni behind HAProxy` : ''}`,
    `nats      ${state.nats.url}  ${origin(state.nats)}`,
    `kafka     ${state.kafka.brokers.join(',')}  ${origin(state.kafka)}, version ${state.kafka.version}`,
  ].join('\n');
}

function origin(part: { managed: boolean; pid?: number }): string {
  return part.managed ? `(pid ${part.pid ?? '?'})` : '(from env)';
}

function describeStatus(status: StackStatus): string {
  const rows = (['postgres', 'nats', 'kafka'] as const).map((name) => {
    const part = status[name];
    const pid = part.ha
      ? `leader ${part.ha.leader ?? 'none'}`
      : part.pid
        ? `pid ${part.pid}`
        : part.managed
          ? 'no process'
          : 'external';
    return `${name.padEnd(9)} ${part.up ? 'up  ' : 'down'}  ${pid.padEnd(12)} ${part.address ?? '-'}`;
  });
  const nodes = (status.postgres.ha?.nodes ?? []).map(
    (node) =>
      `  ${node.name.padEnd(7)} ${node.role.padEnd(12)} ${node.state}${node.lagBytes ? `, ${node.lagBytes} bytes behind` : ''}`,
  );
  return [`stack dir: ${status.dir}${status.stateFile ? '' : ' (no stack.json)'}`, ...rows, ...nodes].join(
    '\n',
  );
}

function print(text: string, exitCode: number): number {
  process.stdout.write(`${text}\n`);
  return exitCode;
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`stack: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
