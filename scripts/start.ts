import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { removeServicesFile, writeServicesFile } from '../cli/src/services/config/services-file.ts';
import { hideKnownWarnings } from '../services/shared/src/process/known-warnings.ts';
import { buildCli } from './build-cli.ts';
import { isRunning, serviceUrl, stopGracefully } from './service-process.ts';
import { type ExitStatus, ServiceSupervisor } from './service-supervisor.ts';
import { postgresNodeCount, stackDown, stackStatus, stackUp } from './stack/index.ts';
import { repoRoot } from './stack/paths.ts';
import { startPgbouncer, stopPgbouncer } from './stack/pgbouncer.ts';
import { findFreePort, isPortOpen } from './stack/ports.ts';
import { startServiceBalancer, stopServiceBalancer } from './stack/service-balancer.ts';

/**
 * `npm start`: the whole platform on this machine. Brings the stack up, runs both services as
 * child processes, waits until both are ready, records their URLs in .wallet/services.json (the
 * CLI reads it), then opens the dashboard on a terminal, or logs the services' output until
 * stopped. A service that dies is started again with backoff (service-supervisor.ts) while the
 * rest keeps running. Ctrl-C / SIGTERM / q stops the services (SIGKILL after
 * SERVICE_STOP_GRACE_MS: they drain in-flight requests and their outbox first) and the stack it
 * started (--keep-stack keeps it).
 *
 * With --replicas N (N > 1) each service runs N times on ports of their own, behind HAProxy on the
 * usual ports (health-checked on /readyz, stack/service-balancer-config.ts), and the replicas reach
 * PostgreSQL through PgBouncer in transaction pooling (stack/pgbouncer.ts), as in production.
 */
export const USER_SERVICE_PORT_DEFAULT = 8080;
export const TRANSACTIONS_SERVICE_PORT_DEFAULT = 8081;
export const SERVICES_READY_TIMEOUT_MS = 90_000;
export const READY_POLL_MS = 250;
/** Two cores serve two or three replicas of each; more only shows the balancer works. */
const REPLICAS_MAX = 8;

type ServiceName = 'user-service' | 'transactions-service';
type RunningService = {
  /** The service's name, or with replicas "user-service-1" …: log prefix and log file name. */
  name: string;
  service: ServiceName;
  url: string;
  child: ChildProcess;
  exited: Promise<ExitStatus>;
};
/** Where clients reach each service: the balancer, or the one replica. */
type Entrypoints = Record<ServiceName, string>;

const usage = `usage: npm start [-- --keep-stack] [--no-dashboard] [--kafka-brokers N] [--replicas N] [--ha]

  --keep-stack       leave PostgreSQL, NATS and Kafka running on exit
  --no-dashboard     log the services' output even on a terminal
  --kafka-brokers N  1, or 3 for a KRaft cluster (default: what the stack ran last, else 1)
  --replicas N       run each service N times behind HAProxy on the usual ports, with PgBouncer
                     between them and PostgreSQL (default 1: no balancer, no pooler)
  --ha               PostgreSQL highly available: two nodes under Patroni (synchronous replication),
                     etcd, HAProxy following the leader (--postgres-nodes N for more; default: what
                     the stack ran last, else one server)`;

async function main(): Promise<number> {
  hideKnownWarnings();
  const { values } = parseArgs({
    options: {
      'keep-stack': { type: 'boolean', default: false },
      'no-dashboard': { type: 'boolean', default: false },
      'kafka-brokers': { type: 'string' },
      replicas: { type: 'string', default: '1' },
      ha: { type: 'boolean', default: false },
      'postgres-nodes': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return say(usage, 0);
  const replicaCount = Number(values.replicas);
  if (!Number.isInteger(replicaCount) || replicaCount < 1 || replicaCount > REPLICAS_MAX) {
    return say(
      `--replicas must be a whole number from 1 to ${REPLICAS_MAX}, got ${values.replicas}\n\n${usage}`,
      2,
    );
  }
  const dashboard = !values['no-dashboard'] && process.stdout.isTTY === true && process.stdin.isTTY === true;
  const before = await stackStatus();
  const stackWasUp = before.postgres.up && before.nats.up && before.kafka.up;
  const kafkaBrokers = values['kafka-brokers'] === undefined ? undefined : Number(values['kafka-brokers']);
  const postgresNodes = postgresNodeCount(values.ha, values['postgres-nodes']);
  const stack = await stackUp({ log: (line) => say(`[stack] ${line}`), kafkaBrokers, postgresNodes });
  const services: RunningService[] = [];
  let supervisors: ServiceSupervisor<RunningService>[] = [];
  let stopping: Promise<number> | undefined;
  let markStopped: (exitCode: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    markStopped = resolve;
  });
  const stop = (exitCode: number) => {
    stopping ??= shutdown(
      // Supervisors once the services are up (no restart during shutdown), the bare processes before.
      () => Promise.all(supervisors.length ? supervisors.map((s) => s.stop()) : services.map(stopService)),
      stack.dir,
      { stopStack: !values['keep-stack'] && !stackWasUp, exitCode, fronted: replicaCount > 1 },
    ).then((code) => {
      markStopped(code);
      return code;
    });
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  try {
    const logDir = join(stack.dir, 'logs');
    const launchers = await serviceLaunchers(stack, replicaCount, dashboard ? logDir : undefined);
    services.push(...launchers.map((launch) => launch()));
    await Promise.all(services.map(waitUntilReady));
    if (stopping) return stopping;
    const entrypoints =
      replicaCount > 1 ? await startBalancer(stack.dir, services) : directEntrypoints(services);
    if (stopping) return stopping;
    supervisors = superviseServices(services, launchers, {
      stackDir: stack.dir,
      logDir,
      dashboard,
      entrypoints,
    });
    say(
      `[start] user-service ${entrypoints['user-service']}  transactions-service ${entrypoints['transactions-service']}`,
    );
    if (replicaCount > 1)
      say(`[start] ${replicaCount} replicas of each behind HAProxy: ${replicaSummary(services)}`);
    if (dashboard) {
      say(`[start] service logs in ${logDir}; opening the dashboard (q quits and stops everything)`);
      await runDashboard(stack.kafka.brokers);
      return stop(0);
    }
    say('[start] running; a service that dies is restarted; Ctrl-C stops the services and the stack');
    return await stopped;
  } catch (error) {
    say(`[start] ${error instanceof Error ? error.message : String(error)}`);
    return stop(1);
  }
}

type Launcher = () => RunningService;

/**
 * How to start each replica, on ports chosen once so that a restarted one keeps its URL. One
 * replica takes the usual port; several take free ones and the balancer takes the usual ones.
 */
async function serviceLaunchers(
  stack: Awaited<ReturnType<typeof stackUp>>,
  replicaCount: number,
  logDir?: string,
): Promise<Launcher[]> {
  const databases = replicaCount > 1 ? await pooledDatabases(stack) : directDatabases(stack);
  const env = serviceEnv(stack);
  const launchers: Launcher[] = [];
  for (const service of ['user-service', 'transactions-service'] as const) {
    for (let index = 1; index <= replicaCount; index++) {
      const name = replicaCount > 1 ? `${service}-${index}` : service;
      const port = replicaCount > 1 ? await findFreePort() : await portFor(defaultPort[service]);
      launchers.push(() => startService(name, service, port, env(databases[service]), logDir));
    }
  }
  return launchers;
}

const defaultPort: Record<ServiceName, number> = {
  'user-service': USER_SERVICE_PORT_DEFAULT,
  'transactions-service': TRANSACTIONS_SERVICE_PORT_DEFAULT,
};

type ServiceDatabase = { url: string; migrationUrl?: string };

function directDatabases(stack: Awaited<ReturnType<typeof stackUp>>): Record<ServiceName, ServiceDatabase> {
  return {
    'user-service': { url: stack.postgres.databases.users },
    'transactions-service': { url: stack.postgres.databases.transactions },
  };
}

/** PgBouncer in front of both databases; migrations still go straight to PostgreSQL (config.ts). */
async function pooledDatabases(
  stack: Awaited<ReturnType<typeof stackUp>>,
): Promise<Record<ServiceName, ServiceDatabase>> {
  const pooler = await startPgbouncer({
    dir: stack.dir,
    upstream: stack.postgres.databases,
    log: (line) => say(`[start] ${line}`),
  });
  return {
    'user-service': { url: pooler.databases.users, migrationUrl: stack.postgres.databases.users },
    'transactions-service': {
      url: pooler.databases.transactions,
      migrationUrl: stack.postgres.databases.transactions,
    },
  };
}

/** HAProxy on the usual ports (or free ones, when another copy holds them) in front of the replicas. */
async function startBalancer(stackDir: string, services: RunningService[]): Promise<Entrypoints> {
  const ports = {
    'user-service': await portFor(USER_SERVICE_PORT_DEFAULT),
    'transactions-service': await portFor(TRANSACTIONS_SERVICE_PORT_DEFAULT),
  };
  await startServiceBalancer({
    dir: stackDir,
    services: (['user-service', 'transactions-service'] as const).map((service) => ({
      name: service,
      port: ports[service],
      replicas: services
        .filter((running) => running.service === service)
        .map((running) => ({ name: running.name, port: Number(new URL(running.url).port) })),
    })),
    log: (line) => say(`[start] ${line}`),
  });
  return {
    'user-service': serviceUrl(ports['user-service']),
    'transactions-service': serviceUrl(ports['transactions-service']),
  };
}

function directEntrypoints(services: RunningService[]): Entrypoints {
  const urlOf = (service: ServiceName) => services.find((running) => running.service === service)?.url ?? '';
  return { 'user-service': urlOf('user-service'), 'transactions-service': urlOf('transactions-service') };
}

function replicaSummary(services: RunningService[]): string {
  return services.map((running) => `${running.name} ${running.url}`).join(', ');
}

/** A supervisor per ready service; services.json is written now and after each restart. */
function superviseServices(
  services: RunningService[],
  launchers: Launcher[],
  options: { stackDir: string; logDir: string; dashboard: boolean; entrypoints: Entrypoints },
): ServiceSupervisor<RunningService>[] {
  const startedAt = new Date().toISOString();
  const record = () =>
    writeRunningServices(
      options.stackDir,
      { startedAt, entrypoints: options.entrypoints },
      supervisors.map((s) => s.current()),
    );
  // On the dashboard's screen a line on stderr would tear the frame; its health bar shows the
  // service go down and come back, and the notice goes to the service's own log.
  const report = (name: string) => (line: string) =>
    options.dashboard ? appendLogLine(options.logDir, name, `[start] ${line}`) : say(`[start] ${line}`);
  const supervisors = services.map(
    (service, index) =>
      new ServiceSupervisor(service, {
        name: service.name,
        start: launchers[index] as Launcher,
        ready: waitUntilReady,
        report: report(service.name),
        onRestarted: record,
      }),
  );
  record();
  return supervisors;
}

/** services.json with the pids that run now: rewritten after each restart. */
function writeRunningServices(
  stackDir: string,
  run: { startedAt: string; entrypoints: Entrypoints },
  running: RunningService[],
): void {
  const first = (service: ServiceName) => running.find((replica) => replica.service === service);
  writeServicesFile(stackDir, {
    userServiceUrl: run.entrypoints['user-service'],
    transactionsServiceUrl: run.entrypoints['transactions-service'],
    pids: {
      userService: first('user-service')?.child.pid ?? 0,
      transactionsService: first('transactions-service')?.child.pid ?? 0,
    },
    startedAt: run.startedAt,
    ...(running.length > 2
      ? {
          replicas: running.map((replica) => ({
            service: replica.service,
            name: replica.name,
            url: replica.url,
            pid: replica.child.pid,
          })),
        }
      : {}),
  });
}

function appendLogLine(logDir: string, name: string, line: string): void {
  mkdirSync(logDir, { recursive: true });
  appendFileSync(join(logDir, `${name}.log`), `${line}\n`);
}

function serviceEnv(stack: Awaited<ReturnType<typeof stackUp>>) {
  return (database: ServiceDatabase): Record<string, string> => ({
    ...(process.env as Record<string, string>),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    ...(database.migrationUrl
      ? { DATABASE_MIGRATION_URL: database.migrationUrl, DATABASE_PREPARED_STATEMENTS: 'false' }
      : {}),
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    NATS_URL: stack.nats.url,
    WALLET_OPERATOR_TOKEN: stack.operatorToken,
  });
}

/** The usual port when it is free, else any free one (another copy may be running). */
async function portFor(preferred: number): Promise<number> {
  return (await isPortOpen(preferred)) ? findFreePort() : preferred;
}

function startService(
  name: string,
  service: ServiceName,
  port: number,
  env: Record<string, string>,
  logDir?: string,
): RunningService {
  // The image's heap caps (Dockerfile): a busy service's RSS stays near 150 MB instead of 230+.
  const nodeFlags = ['--max-semi-space-size=4', '--max-old-space-size=128'];
  const child = spawn(
    process.execPath,
    [...nodeFlags, join(repoRoot, 'services', service, 'src', 'server.ts')],
    {
      cwd: repoRoot,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const sink = logDir ? openLog(logDir, name) : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      if (sink) sink.write(chunk);
      else
        for (const line of chunk.toString('utf8').split('\n'))
          if (line) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
  // Each restart opens the log again; the old stream closes once the dead process's pipes have.
  child.on('close', () => sink?.end());
  const exited = new Promise<ExitStatus>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { name, service, url: serviceUrl(port), child, exited };
}

function openLog(logDir: string, name: string): WriteStream {
  mkdirSync(logDir, { recursive: true });
  return createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
}

async function waitUntilReady(service: RunningService): Promise<void> {
  const deadlineMs = Date.now() + SERVICES_READY_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    if (!isRunning(service.child))
      throw new Error(`${service.name} exited before it was ready (see its log)`);
    try {
      const response = await request(`${service.url}/readyz`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
      await response.body.dump();
      if (response.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, READY_POLL_MS));
  }
  throw new Error(`${service.name} was not ready within ${SERVICES_READY_TIMEOUT_MS / 1_000} s`);
}

/** Builds the CLI (a second or so) and runs its dashboard in this terminal until it quits. */
async function runDashboard(brokers: string[]): Promise<void> {
  const bin = await buildCli();
  const child = spawn(process.execPath, [bin, 'dashboard', '--kafka-brokers', brokers.join(',')], {
    stdio: 'inherit',
  });
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
}

/** Services first (they drain into the stack), then the stack if this run started it. */
async function shutdown(
  stopServices: () => Promise<unknown>,
  stackDir: string,
  options: { stopStack: boolean; exitCode: number; fronted: boolean },
): Promise<number> {
  say('[start] stopping the services…');
  await stopServices();
  removeServicesFile(stackDir);
  if (options.fronted) {
    await stopServiceBalancer(stackDir).catch((error: unknown) =>
      say(`[start] haproxy stop failed: ${String(error)}`),
    );
    await stopPgbouncer(stackDir).catch((error: unknown) =>
      say(`[start] pgbouncer stop failed: ${String(error)}`),
    );
  }
  if (options.stopStack) {
    say('[start] stopping the stack…');
    await stackDown({ dir: stackDir }).catch((error: unknown) =>
      say(`[start] stack down failed: ${String(error)}`),
    );
  } else {
    say('[start] the stack stays up (`wallet stack down` stops it)');
  }
  return options.exitCode;
}

async function stopService(service: RunningService): Promise<void> {
  if (isRunning(service.child)) await stopGracefully(service.child, service.exited);
}

function say(line: string, exitCode?: number): number {
  process.stderr.write(`${line}\n`);
  return exitCode ?? 0;
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
