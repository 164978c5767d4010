import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATEMENT_TIMEOUT_MS } from '../../services/shared/src/db/pool.ts';
import { choosePort, loopbackHost, readRememberedPort, rememberPort } from './ports.ts';
import { probePostgres } from './postgres-client.ts';
import {
  daemonBinary,
  isOurProcess,
  readLogTail,
  readPidFile,
  spawnDetached,
  stopProcess,
} from './processes.ts';
import { postgresRunAs } from './system-user.ts';
import { makeAncestorsTraversable } from './traversable.ts';
import { waitUntil } from './wait.ts';

/**
 * Debian's PgBouncer in transaction pooling between service replicas and the stack's PostgreSQL,
 * so that replicas × DATABASE_POOL_SIZE client connections share a few server connections.
 *
 * What transaction pooling costs the services, and how they cope (services/shared/src/db):
 * a server connection belongs to a client only for one transaction, so nothing may outlive one.
 * PgBouncer 1.18 keeps no named prepared statements (the services run with
 * DATABASE_PREPARED_STATEMENTS=false), migrations hold a session advisory lock (they connect to
 * PostgreSQL directly, DATABASE_MIGRATION_URL), and startup parameters other than a few are
 * refused, so pg's `statement_timeout` is dropped here and set per server connection instead.
 */
const pgbouncerBinary = process.env.WALLET_PGBOUNCER_BIN ?? daemonBinary('pgbouncer');
const readyTimeoutMs = 20_000;
const stopGraceMs = 10_000;
/** Server connections per database: a little over what PostgreSQL can use on 2 cores. */
const serverPoolSize = 20;
const clientConnectionsMax = 2_000;

export function pgbouncerLayout(dir: string) {
  const root = join(dir, 'pgbouncer');
  return {
    root,
    configFile: join(root, 'pgbouncer.ini'),
    usersFile: join(root, 'userlist.txt'),
    logFile: join(root, 'pgbouncer.log'),
    pidFile: join(root, 'pgbouncer.pid'),
    portFile: join(root, 'port'),
  };
}

export type PgbouncerState = {
  port: number;
  pid: number;
  /** Client URLs through PgBouncer, one per upstream database, same names. */
  databases: { users: string; transactions: string };
};

type Upstream = {
  name: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
};

/**
 * Starts PgBouncer in `<dir>/pgbouncer/` in front of the two service databases, given as the URLs
 * the services would otherwise use (the stack's own PostgreSQL, or one given by env). Clients log
 * in to PgBouncer with the same user and password as to PostgreSQL.
 */
export async function startPgbouncer(options: {
  dir: string;
  upstream: { users: string; transactions: string };
  log: (line: string) => void;
}): Promise<PgbouncerState> {
  const paths = pgbouncerLayout(options.dir);
  await stopPgbouncer(options.dir);
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const upstreams = (['users', 'transactions'] as const).map((name) =>
    parseUpstream(name, options.upstream[name]),
  );
  const port = await choosePort('WALLET_PGBOUNCER_PORT', readRememberedPort(paths.portFile));
  rememberPort(paths.portFile, port);
  const users = new Map(upstreams.map((upstream) => [upstream.user, upstream.password]));
  const userList = [...users].map(([user, password]) => `"${user}" "${password}"`).join('\n');
  writeFileSync(paths.usersFile, `${userList}\n`, { mode: 0o600 });
  writeFileSync(paths.configFile, config({ port, upstreams, usersFile: paths.usersFile }), { mode: 0o600 });
  // As root, PgBouncer runs as PostgreSQL's system user: it refuses root, and that user may use
  // the stack's server socket in its 0700 data directory.
  const runAs = postgresRunAs();
  if (runAs) {
    makeAncestorsTraversable(paths.root, options.log);
    for (const file of [paths.root, paths.usersFile, paths.configFile]) chownSync(file, runAs.uid, runAs.gid);
    if (existsSync(paths.logFile)) chownSync(paths.logFile, runAs.uid, runAs.gid);
  }
  options.log(`pgbouncer: starting on ${loopbackHost}:${port} (transaction pooling)`);
  const pid = spawnDetached(pgbouncerBinary, [paths.configFile], {
    cwd: paths.root,
    logFile: paths.logFile,
    runAs,
  });
  writeFileSync(paths.pidFile, `${pid}\n`);
  const [usersDb, transactionsDb] = upstreams.map(
    (upstream) =>
      `postgres://${encodeURIComponent(upstream.user)}:${encodeURIComponent(upstream.password)}@${loopbackHost}:${port}/${upstream.name}`,
  ) as [string, string];
  const state = { port, pid, databases: { users: usersDb, transactions: transactionsDb } };
  try {
    await waitUntil(() => probePostgres(state.databases.transactions), {
      what: 'pgbouncer',
      timeoutMs: readyTimeoutMs,
      check: () => {
        if (!isOurProcess(pid, paths.configFile)) throw new Error('pgbouncer exited during startup');
      },
    });
  } catch (error) {
    await stopProcess(pid, paths.configFile, stopGraceMs);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`pgbouncer failed to start: ${message}\n${readLogTail(paths.logFile)}`);
  }
  return state;
}

export async function stopPgbouncer(dir: string): Promise<void> {
  const paths = pgbouncerLayout(dir);
  const pid = readPidFile(paths.pidFile);
  if (pid) await stopProcess(pid, paths.configFile, stopGraceMs);
}

/** A postgres:// URL as PgBouncer's [databases] needs it; `?host=/dir` (a Unix socket) wins over the host. */
function parseUpstream(name: string, url: string): Upstream {
  const parsed = new URL(url);
  return {
    name,
    host: parsed.searchParams.get('host') ?? parsed.hostname,
    port: parsed.port || '5432',
    database: decodeURIComponent(parsed.pathname.slice(1)),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

function config(options: { port: number; upstreams: Upstream[]; usersFile: string }): string {
  // Client-side names are the services' roles ("users", "transactions"), whatever the databases
  // are called upstream (per-test databases in the tests).
  const database = (upstream: Upstream) =>
    `${upstream.name} = host=${upstream.host} port=${upstream.port} dbname=${upstream.database} ` +
    `user=${upstream.user} password=${upstream.password} ` +
    `connect_query='SET statement_timeout = ${STATEMENT_TIMEOUT_MS}'`;
  return [
    '[databases]',
    ...options.upstreams.map(database),
    '',
    '[pgbouncer]',
    `listen_addr = ${loopbackHost}`,
    `listen_port = ${options.port}`,
    // No socket of its own: clients come over TCP, and /var/run/postgresql is not ours.
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${options.usersFile}`,
    'pool_mode = transaction',
    `default_pool_size = ${serverPoolSize}`,
    `max_client_conn = ${clientConnectionsMax}`,
    'ignore_startup_parameters = extra_float_digits,statement_timeout',
    // A server connection PostgreSQL dropped (a restart) is noticed before a client gets it.
    'server_check_delay = 0',
    'log_connections = 0',
    'log_disconnections = 0',
    '',
  ].join('\n');
}
