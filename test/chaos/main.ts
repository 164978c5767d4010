import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { postgresNodeCount } from '../../scripts/stack/index.ts';
import { hideKnownWarnings } from '../../services/shared/src/process/known-warnings.ts';
import { type BankWorkloadOptions, runBankWorkload } from './bank-workload.ts';
import { type ChaosStack, chaosStackDown, chaosStackUp } from './chaos-stack.ts';
import { parseDurationMs } from './duration.ts';
import type { FailoverWindow } from './failover-figures.ts';
import { FAULT_KINDS, type FaultKind, faultKindsRefused, HA_FAULT_KINDS } from './nemesis.ts';

hideKnownWarnings();

/**
 * `npm run test:chaos -- --duration 10m`: the long bank workload on a stack of its own (in a temp
 * dir, durable PostgreSQL, a Kafka cluster behind fault proxies, taken down afterwards). Exit code
 * 1 when the checker found a violation or a fault did not heal.
 * The summary also goes to `--out` (default .wallet/chaos/last-run.txt), headed by the commit,
 * machine and date it came from, so a figure quoted from it says where it came from.
 * `--ha`: PostgreSQL as a Patroni cluster (2 nodes, or `--postgres-nodes N`) behind HAProxy, hurt
 * by leader kills, freezes and switchovers; the summary then also says how long writes were down.
 * The runner keeps every operation of the run in memory for the checker: the 20-minute run of
 * 8af9805 (863,791 operations) peaked at 3.5 GB RSS, near V8's default 4.2 GB heap limit, and spent
 * its last minutes collecting garbage; package.json's test:chaos runs it with a 16 GB limit and a
 * 64 MB young generation.
 */
const DURATION_MAX_MS = 60 * 60_000;
const CLIENTS_MAX = 256;
const USERS_MAX = 1_000;
const OPERATIONS_PER_SECOND_CAP = 2_000;
/** As many as the stack runs: 1, or 3 (replication factor 3, min ISR 2) so one broker may die. */
const KAFKA_BROKER_COUNTS = [1, 3];

const OUT_DEFAULT = '.wallet/chaos/last-run.txt';
/** With --ha: every PostgreSQL fault is an HA one, plus replica kills to keep the services' part in it. */
const HA_FAULTS_DEFAULT: readonly FaultKind[] = [...HA_FAULT_KINDS, 'kill-transactions', 'kill-users'];
const KNOWN_FAULT_KINDS: readonly string[] = [...FAULT_KINDS, ...HA_FAULT_KINDS];

const usage = `usage: npm run test:chaos -- [--duration 10m] [--clients 96] [--users 20] [--fault-gap 20s] [--kafka-brokers 3] [--faults kind,kind,…] [--seed N] [--via-balancer] [--ha] [--postgres-nodes 2] [--keep] [--out ${OUT_DEFAULT}]
  --via-balancer  clients reach the replicas through HAProxy, the replicas PostgreSQL through PgBouncer (as npm start -- --replicas 2)
  --ha            PostgreSQL under Patroni (--postgres-nodes, default 2) behind HAProxy
fault kinds (default all, in turn): ${FAULT_KINDS.join(', ')}
with --ha instead of kill-postgres and pause-postgres: ${HA_FAULT_KINDS.join(', ')} (default: those, kill-transactions, kill-users)`;

function readOptions(): Omit<BankWorkloadOptions, 'stack' | 'kafkaRoutes' | 'workDir' | 'log'> & {
  kafkaBrokers: number;
  postgresNodes: number;
  keep: boolean;
  out: string;
} {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '2m' },
      // Clients wait out the faults' stalls, so more of them keep a 2-core machine busy: in
      // 2-minute runs with the same seed and faults, 96 did 121,676 operations where 64 did
      // 102,265 (test/chaos/runs/cb0831f-2m-*-clients.txt; 32 did 59,174 against 64's 80,298
      // on db2b19c). A fault every 20 s gives each of the 11 kinds 5 or more turns in 20 minutes.
      clients: { type: 'string', default: '96' },
      users: { type: 'string', default: '20' },
      'fault-gap': { type: 'string', default: '20s' },
      'kafka-brokers': { type: 'string', default: '3' },
      faults: { type: 'string' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      'via-balancer': { type: 'boolean', default: false },
      ha: { type: 'boolean', default: false },
      'postgres-nodes': { type: 'string' },
      keep: { type: 'boolean', default: false },
      out: { type: 'string', default: OUT_DEFAULT },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const durationMs = parseDurationMs(values.duration);
  const faultGapMs = parseDurationMs(values['fault-gap']);
  const clients = Number(values.clients);
  const users = Number(values.users);
  const seed = Number(values.seed);
  const kafkaBrokers = Number(values['kafka-brokers']);
  let postgresNodes = 1;
  try {
    postgresNodes = postgresNodeCount(values.ha, values['postgres-nodes']) ?? 1;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const ha = postgresNodes > 1;
  const faultKinds =
    values.faults?.split(',').map((kind) => kind.trim()) ?? (ha ? [...HA_FAULTS_DEFAULT] : [...FAULT_KINDS]);
  if (!durationMs || durationMs > DURATION_MAX_MS)
    fail(`--duration must be a duration up to 60m, got ${values.duration}`);
  if (!faultGapMs) fail(`--fault-gap must be a duration, got ${values['fault-gap']}`);
  if (!Number.isInteger(clients) || clients < 1 || clients > CLIENTS_MAX)
    fail(`--clients must be 1–${CLIENTS_MAX}`);
  if (!Number.isInteger(users) || users < 2 || users > USERS_MAX) fail(`--users must be 2–${USERS_MAX}`);
  if (!Number.isInteger(seed)) fail('--seed must be an integer');
  if (!KAFKA_BROKER_COUNTS.includes(kafkaBrokers))
    fail(`--kafka-brokers must be ${KAFKA_BROKER_COUNTS.join(' or ')}`);
  const unknown = faultKinds.filter((kind) => !KNOWN_FAULT_KINDS.includes(kind));
  if (unknown.length > 0 || faultKinds.length === 0) fail(`--faults: unknown kind ${unknown.join(', ')}`);
  const refused = faultKindsRefused(faultKinds as FaultKind[], ha);
  if (refused) fail(`--faults: ${refused}`);
  return {
    chaosDurationMs: durationMs,
    clients,
    users,
    startingBalanceMinor: 10_000n,
    faultKinds: faultKinds as FaultKind[],
    kafkaBrokers,
    postgresNodes,
    faultGapMs,
    seed,
    operationsMax: Math.ceil((durationMs / 1000) * OPERATIONS_PER_SECOND_CAP),
    viaBalancer: values['via-balancer'],
    keep: values.keep,
    out: values.out,
  };
}

/** Where a run came from: the commit (and whether the tree differed from it), the machine, the day. */
function provenance(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  let commit = 'unknown commit';
  try {
    commit =
      git('rev-parse', '--short', 'HEAD') +
      (git('status', '--porcelain', '--untracked-files=no') ? ' (modified)' : '');
  } catch {}
  const memoryGiB = Math.round(totalmem() / 2 ** 30);
  return `commit ${commit}; ${cpus().length} cores, ${memoryGiB} GiB, Node ${process.versions.node}; ${new Date().toISOString()}`;
}

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const { keep, out, kafkaBrokers, postgresNodes, ...options } = readOptions();
const postgresLabel =
  postgresNodes > 1
    ? `HA PostgreSQL (${postgresNodes} nodes under Patroni, synchronous replication, HAProxy)`
    : 'durable PostgreSQL';
const dir = mkdtempSync(join(tmpdir(), 'wallet-chaos-'));
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
log(
  `chaos run: ${options.chaosDurationMs / 1000} s, ${options.clients} clients, ${options.users} users, ${kafkaBrokers} Kafka broker(s), ${postgresLabel}, faults ${options.faultKinds.join(',')}, seed ${options.seed}, dir ${dir}`,
);
let exitCode = 1;
let chaos: ChaosStack | undefined;
try {
  chaos = await chaosStackUp({ dir, kafkaBrokers, postgresNodes, log });
  const { stack, kafkaRoutes } = chaos;
  const report = await runBankWorkload({ ...options, stack, kafkaRoutes, workDir: join(dir, 'logs'), log });
  console.log(`\n${report.summary}\n`);
  const header = `chaos run of ${options.chaosDurationMs / 1000} s, ${options.clients} clients, ${options.users} users, ${kafkaBrokers} Kafka broker(s), ${postgresLabel}, ${options.viaBalancer ? 'clients through HAProxy, replicas through PgBouncer' : 'clients spread over the replicas'}, seed ${options.seed}; ${provenance()}`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${header}\n\n${report.summary}\n`);
  log(`summary written to ${out}`);
  const unhealed = report.history.faults.some((fault: FailoverWindow) => fault.notHealed !== undefined);
  exitCode = report.violations.length === 0 && !unhealed ? 0 : 1;
} finally {
  await chaosStackDown(dir, chaos).catch((error: unknown) => log(`stack down failed: ${String(error)}`));
  if (keep) log(`kept ${dir} (replica logs in ${join(dir, 'logs')})`);
  else rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
