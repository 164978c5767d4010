import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { request } from 'undici';
import { stackDown, stackUp } from '../scripts/stack/index.ts';
import { findFreePort } from '../scripts/stack/ports.ts';
import { POOL_SIZE_DEFAULT } from '../services/shared/src/db/pool.ts';
import { hideKnownWarnings } from '../services/shared/src/process/known-warnings.ts';
import { parseDurationMs } from '../test/chaos/duration.ts';
import {
  compiledServerScript,
  ensureCompiledServices,
  type ServiceName,
  sourceServerScript,
} from './compiled-services.ts';
import { summarizeCpuProfile } from './cpu-profile.ts';
import { summarizeLatencies } from './latency-stats.ts';
import { type PhaseResult, type Request, runPhase } from './load-loop.ts';
import { runPgbench } from './pgbench.ts';
import { type BenchResults, checkTargets, formatMarkdown, type PhaseReport } from './report.ts';
import { createServiceProcess, type ServiceProcess } from './service-process.ts';

hideKnownWarnings();

/**
 * `npm run bench`: a durable stack of its own (fsync and synchronous_commit on, like pgbench's
 * server), one replica of each service as a process, then fixed-duration closed-loop phases
 * through HTTP, and pgbench's TPC-B on the same PostgreSQL as the yardstick. Writes
 * bench/results.json (git-ignored) and bench/results.md.
 */
const benchDir = import.meta.dirname;
const USERS_FUNDED = 200;
const FUNDING_MINOR_TEXT = '1000000.00';
const TRANSFER_CLIENT_COUNTS = [1, 16, 64] as const;
const OTHER_PHASE_CLIENTS = 16;
const PGBENCH_CLIENTS = 16;
const PGBENCH_THREADS = 2;
const REQUEST_TIMEOUT_MS = 10_000;
const SETUP_CONCURRENCY = 16;
const WALLETS_OPEN_TIMEOUT_MS = 60_000;
const PHASE_DURATION_MAX_MS = 5 * 60_000;
/** How long the services sit after start before their idle memory is read. */
const IDLE_SETTLE_MS = 2_000;
/**
 * Node flags the services run with unless --node-flags says otherwise: the image's
 * `--enable-source-maps` (Dockerfile NODE_OPTIONS) and a young generation capped at 4 MB per
 * semi-space. V8 otherwise grows the new space to tens of MB under load: peak RSS 250–300 MB
 * per service with the default, 130–190 MB with 4 MB, for ~20 scavenges/s of ~0.5 ms and no
 * measurable loss of throughput (bench/tuning-notes.md).
 */
const SERVICE_NODE_FLAGS_DEFAULT = '--enable-source-maps --max-semi-space-size=4';

const { values } = parseArgs({
  options: {
    'phase-duration': { type: 'string', default: '10s' },
    profile: { type: 'boolean', default: false },
    'skip-pgbench': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    /** Run only the phases of this operation, e.g. `--only transferMoney` (for profiling). */
    only: { type: 'string' },
    /** Run the services' TypeScript sources (type stripping) instead of the compiled dist. */
    'from-source': { type: 'boolean', default: false },
    /** Node/V8 flags for both services, space-separated, e.g. "--max-semi-space-size=4". */
    'node-flags': { type: 'string', default: SERVICE_NODE_FLAGS_DEFAULT },
    /** DATABASE_POOL_SIZE of both services; unset, they use their default as in production. */
    'pool-size': { type: 'string' },
  },
});
const serviceNodeFlags = values['node-flags'].split(/\s+/).filter((flag) => flag !== '');
const phaseDurationMs = readPhaseDurationMs(values['phase-duration']);

function readPhaseDurationMs(text: string): number {
  const durationMs = parseDurationMs(text);
  if (durationMs && durationMs <= PHASE_DURATION_MAX_MS) return durationMs;
  console.error(`--phase-duration must be a duration up to 5m, got ${text}`);
  process.exit(2);
}

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

type Service = { users: ServiceProcess; transactions: ServiceProcess };

/** The services run with auth on (as in production); every request carries this operator token. */
let operatorToken = randomBytes(32).toString('hex');

async function call(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${operatorToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers['idempotency-key'] = key;
  try {
    const response = await request(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: response.statusCode, json: await response.body.json().catch(() => undefined) };
  } catch (error) {
    // No response: status 0, the error's name as the code, so it shows in the error breakdown.
    return { status: 0, json: { code: error instanceof Error ? error.name : 'Error' } };
  }
}

async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
}

/** Funded users for the money phases; not measured. */
async function setUpUsers(service: Service, transactionsDbUrl: string, runId: string) {
  const users: { userId: string; email: string }[] = [];
  await inParallel(USERS_FUNDED, async (index) => {
    const email = `bench-${runId}-${index}@example.com`;
    const { status, json } = await call('POST', `${service.users.url}/createUser`, { email });
    if (status !== 201) throw new Error(`createUser answered ${status}: ${JSON.stringify(json)}`);
    users.push({ userId: (json as { user_id: string }).user_id, email });
  });
  const client = new pg.Client({ connectionString: transactionsDbUrl });
  await client.connect();
  try {
    const deadlineMs = Date.now() + WALLETS_OPEN_TIMEOUT_MS;
    for (;;) {
      const { rows } = await client.query<{ count: string }>('SELECT count(*)::text AS count FROM users');
      if (Number(rows[0]?.count) >= USERS_FUNDED) break;
      if (Date.now() > deadlineMs) throw new Error('wallets did not open in time');
      await sleep(200);
    }
  } finally {
    await client.end();
  }
  await inParallel(users.length, async (index) => {
    const body = { user_id: users[index]!.userId, amount: FUNDING_MINOR_TEXT };
    const { status } = await call(
      'POST',
      `${service.transactions.url}/addMoney`,
      body,
      `${runId}-fund-${index}`,
    );
    if (status !== 200) throw new Error(`funding answered ${status}`);
  });
  return users;
}

/** Counts every answer other than the expected one by status and code, for the error column. */
const unexpectedAnswers = new Map<string, number>();

function expect(answer: { status: number; json: unknown }, status: number): boolean {
  if (answer.status === status) return true;
  const code = (answer.json as { code?: string } | undefined)?.code ?? '';
  const label = `${answer.status} ${code}`.trim();
  unexpectedAnswers.set(label, (unexpectedAnswers.get(label) ?? 0) + 1);
  return false;
}

/** Unique across phases: a key reused with another body would be refused (422), not measured. */
let keySequence = 0;

function phaseRequests(service: Service, users: { userId: string; email: string }[], runId: string) {
  const pick = () => users[Math.floor(Math.random() * users.length)]!;
  const transfer: Request = async () => {
    const source = pick();
    let target = pick();
    while (target.userId === source.userId) target = pick();
    const body = { from_user_id: source.userId, to_user_id: target.userId, amount: '0.01' };
    const key = `${runId}-t-${keySequence++}`;
    return expect(await call('POST', `${service.transactions.url}/transferMoney`, body, key), 200);
  };
  const addMoney: Request = async () => {
    const body = { user_id: pick().userId, amount: '1.00' };
    const key = `${runId}-a-${keySequence++}`;
    return expect(await call('POST', `${service.transactions.url}/addMoney`, body, key), 200);
  };
  const getBalance: Request = async () => {
    const query = new URLSearchParams({ email: pick().email });
    return expect(await call('GET', `${service.users.url}/getBalance?${query}`), 200);
  };
  const createUser: Request = async () => {
    const email = `new-${runId}-${keySequence++}@example.com`;
    return expect(await call('POST', `${service.users.url}/createUser`, { email }), 201);
  };
  return { transfer, addMoney, getBalance, createUser };
}

function toReport(result: PhaseResult): PhaseReport {
  return {
    name: result.name,
    clients: result.clients,
    durationS: result.durationMs / 1000,
    throughputPerS: result.okCount / (result.durationMs / 1000),
    errorCount: result.errorCount,
    latency: summarizeLatencies(result.latenciesMs),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wallet-bench-'));
  const profileDir = join(dir, 'profiles');
  const runId = `b${randomBytes(3).toString('hex')}`;
  let service: Service | undefined;
  try {
    if (!values['from-source']) ensureCompiledServices(log);
    const script = (name: ServiceName) =>
      values['from-source'] ? sourceServerScript(name) : compiledServerScript(name);
    const stack = await stackUp({ dir, fast: false, log });
    operatorToken = stack.operatorToken ?? operatorToken;
    const env = {
      WALLET_OPERATOR_TOKEN: operatorToken,
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      NATS_URL: stack.nats.url,
      LOG_LEVEL: 'warn',
      ...(values['pool-size'] ? { DATABASE_POOL_SIZE: values['pool-size'] } : {}),
      NODE_ENV: 'production',
      RATE_LIMIT_PER_SECOND: '1000000',
    };
    if (values.profile) mkdirSync(profileDir, { recursive: true });
    service = {
      transactions: createServiceProcess({
        name: 'transactions-service',
        script: script('transactions-service'),
        port: await findFreePort(),
        env: { ...env, DATABASE_URL: stack.postgres.databases.transactions },
        logDir: dir,
        nodeFlags: [
          ...serviceNodeFlags,
          ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        ],
      }),
      users: createServiceProcess({
        name: 'user-service',
        script: script('user-service'),
        port: await findFreePort(),
        env: { ...env, DATABASE_URL: stack.postgres.databases.users },
        logDir: dir,
        nodeFlags: serviceNodeFlags,
      }),
    };
    await service.transactions.start();
    await service.users.start();
    await sleep(IDLE_SETTLE_MS);
    const idleRssMb = {
      'transactions-service': service.transactions.rssMb()?.currentMb,
      'user-service': service.users.rssMb()?.currentMb,
    };
    log(
      `services up (${values['from-source'] ? 'from source' : 'from dist'}, flags "${serviceNodeFlags.join(' ')}"), idle RSS ${JSON.stringify(idleRssMb, (_key, value) => (typeof value === 'number' ? Math.round(value) : value))}`,
    );
    log(`services up; funding ${USERS_FUNDED} users`);
    const users = await setUpUsers(service, stack.postgres.databases.transactions, runId);
    const requests = phaseRequests(service, users, runId);
    const phases: PhaseReport[] = [];
    const phase = async (name: string, clients: number, request: Request) => {
      if (values.only && values.only !== name) return;
      log(`${name} with ${clients} clients for ${phaseDurationMs / 1000} s`);
      const report = toReport(
        await runPhase({ name, clients, durationMs: phaseDurationMs, request, progress: log }),
      );
      phases.push(report);
      if (unexpectedAnswers.size > 0)
        log(`  errors: ${JSON.stringify(Object.fromEntries(unexpectedAnswers))}`);
      unexpectedAnswers.clear();
      log(
        `  → ${report.throughputPerS.toFixed(0)}/s, p50 ${report.latency.p50Ms.toFixed(1)} ms, p99 ${report.latency.p99Ms.toFixed(1)} ms, ${report.errorCount} errors`,
      );
    };
    for (const clients of TRANSFER_CLIENT_COUNTS) await phase('transferMoney', clients, requests.transfer);
    await phase('addMoney', OTHER_PHASE_CLIENTS, requests.addMoney);
    await phase('getBalance', OTHER_PHASE_CLIENTS, requests.getBalance);
    await phase('createUser', OTHER_PHASE_CLIENTS, requests.createUser);
    const peakRssMb = {
      'transactions-service': service.transactions.rssMb()?.peakMb,
      'user-service': service.users.rssMb()?.peakMb,
    };
    // Stopped before pgbench, so the yardstick has the machine to itself as the services had.
    await service.transactions.stop();
    await service.users.stop();
    const pgbench = values['skip-pgbench']
      ? undefined
      : await runPgbench({
          adminUrl: stack.postgres.adminUrl,
          clients: PGBENCH_CLIENTS,
          threads: PGBENCH_THREADS,
          durationS: phaseDurationMs / 1000,
          log,
        });
    const partial = {
      startedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      postgres:
        'PostgreSQL 15, durable (fsync on, synchronous_commit on, full_page_writes on), same server for services and pgbench',
      services: {
        script: values['from-source'] ? 'TypeScript sources (type stripping)' : 'compiled dist',
        nodeFlags: serviceNodeFlags,
        poolSize: Number(values['pool-size'] ?? POOL_SIZE_DEFAULT),
      },
      phases,
      pgbench,
      idleRssMb,
      peakRssMb,
    };
    const results: BenchResults = { ...partial, targets: checkTargets(partial) };
    writeFileSync(join(benchDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const markdown = formatMarkdown(results);
    writeFileSync(join(benchDir, 'results.md'), markdown);
    console.log(`\n${markdown}`);
    if (values.profile) printProfile(profileDir);
  } finally {
    await service?.transactions.stop();
    await service?.users.stop();
    await stackDown({ dir }).catch((error: unknown) => log(`stack down failed: ${String(error)}`));
    if (values.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function printProfile(profileDir: string): void {
  const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
  for (const file of files) {
    const summary = summarizeCpuProfile(join(profileDir, file));
    console.log(`CPU profile ${file} (idle ${summary.idlePercent.toFixed(0)}% of samples)`);
    console.log('self time by package:');
    for (const share of summary.packages)
      console.log(`  ${share.selfPercent.toFixed(1).padStart(5)}%  ${share.frame}`);
    console.log('native frames by the package that called them:');
    for (const share of summary.nativeCallers)
      console.log(`  ${share.selfPercent.toFixed(1).padStart(5)}%  ${share.frame}`);
    console.log('top functions by self time:');
    for (const share of summary.frames)
      console.log(`  ${share.selfPercent.toFixed(1).padStart(5)}%  ${share.frame}`);
  }
}

await main();
