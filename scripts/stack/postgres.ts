import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { choosePort, loopbackHost, readRememberedPort, rememberPort } from './ports.ts';
import { findPostgresBinDir } from './postgres-binaries.ts';
import { ensureDatabase, probePostgres, withDatabase } from './postgres-client.ts';
import { postgresTuningLines } from './postgres-tuning.ts';
import { isOurProcess, type RunAs, readLogTail, readPidFile, runCommand, waitForExit } from './processes.ts';
import type { PostgresState } from './state.ts';
import { postgresRunAs } from './system-user.ts';
import { makeAncestorsTraversable } from './traversable.ts';
import { waitUntil } from './wait.ts';

export const postgresUser = 'wallet';
export const databaseNames = { users: 'wallet_users', transactions: 'wallet_transactions' } as const;

const startTimeoutSeconds = 60;
const stopTimeoutSeconds = 60;
const readyTimeoutMs = 30_000;
const connectionsMax = 200;
const includeLine = "include_if_exists = 'wallet.conf'";

export function postgresLayout(dir: string) {
  const root = join(dir, 'postgres');
  return {
    root,
    data: join(root, 'data'),
    logFile: join(root, 'postgres.log'),
    passwordFile: join(root, 'password'),
    portFile: join(root, 'port'),
  };
}

export type StartPostgresOptions = { dir: string; fast: boolean; log: (line: string) => void };

export async function startPostgres(options: StartPostgresOptions): Promise<PostgresState> {
  const paths = postgresLayout(options.dir);
  const binDir = findPostgresBinDir();
  const runAs = postgresRunAs();
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const password = ensurePassword(paths.passwordFile);
  const port = await choosePort('WALLET_PG_PORT', readRememberedPort(paths.portFile));
  rememberPort(paths.portFile, port);
  if (runAs) {
    makeAncestorsTraversable(paths.root, options.log);
    chownTree(paths.root, runAs);
  }
  const fail = (step: string, error: unknown) => failure(step, error, paths.logFile);

  if (!existsSync(join(paths.data, 'PG_VERSION'))) {
    options.log(`postgres: initdb in ${paths.data}`);
    await initdb(binDir, paths, options.fast, runAs).catch((error) => fail('initdb', error));
  }
  writeServerSettings(paths.data, port, options.fast, runAs);
  options.log(`postgres: starting on ${loopbackHost}:${port}`);
  await runCommand(
    join(binDir, 'pg_ctl'),
    ['start', '-D', paths.data, '-l', paths.logFile, '-w', '-t', String(startTimeoutSeconds)],
    { cwd: paths.root, runAs },
  ).catch((error) => fail('pg_ctl start', error));

  const pid = readPidFile(join(paths.data, 'postmaster.pid'));
  const adminUrl = viaUnixSocket(
    `postgres://${postgresUser}:${password}@${loopbackHost}:${port}/postgres`,
    paths.data,
    port,
  );
  await waitUntil(() => probePostgres(adminUrl), {
    what: 'postgres',
    timeoutMs: readyTimeoutMs,
    check: () => {
      if (!isOurProcess(pid, paths.data)) throw new Error('postgres exited during startup');
    },
  }).catch((error) => fail('readiness', error));
  await ensureDatabase(adminUrl, databaseNames.users);
  await ensureDatabase(adminUrl, databaseNames.transactions);
  return {
    adminUrl,
    databases: {
      users: withDatabase(adminUrl, databaseNames.users),
      transactions: withDatabase(adminUrl, databaseNames.transactions),
    },
    pid,
    port,
    managed: true,
  };
}

/** Stops a server started in `dir` (found by its own pid file); no-op when none runs. */
export async function stopPostgres(dir: string): Promise<void> {
  const paths = postgresLayout(dir);
  const pid = readPidFile(join(paths.data, 'postmaster.pid'));
  if (!pid || !isOurProcess(pid, paths.data)) return;
  const binDir = findPostgresBinDir();
  const runAs = postgresRunAs();
  const pgCtl = join(binDir, 'pg_ctl');
  const stopArgs = (mode: string) => [
    'stop',
    '-D',
    paths.data,
    '-m',
    mode,
    '-w',
    '-t',
    String(stopTimeoutSeconds),
  ];
  try {
    await runCommand(pgCtl, stopArgs('fast'), { cwd: paths.root, runAs });
  } catch {
    // A fast stop waits for nothing but can still hang on a stuck backend; immediate cannot.
    await runCommand(pgCtl, stopArgs('immediate'), { cwd: paths.root, runAs });
  }
  if (!(await waitForExit(pid, paths.data, stopTimeoutSeconds * 1000))) {
    throw new Error(`postgres (pid ${pid}) still running after pg_ctl stop\n${readLogTail(paths.logFile)}`);
  }
}

export function postgresPid(dir: string): number | undefined {
  const paths = postgresLayout(dir);
  const pid = readPidFile(join(paths.data, 'postmaster.pid'));
  return isOurProcess(pid, paths.data) ? pid : undefined;
}

async function initdb(
  binDir: string,
  paths: ReturnType<typeof postgresLayout>,
  fast: boolean,
  runAs: RunAs | undefined,
): Promise<void> {
  const args = [
    '-D',
    paths.data,
    '-U',
    postgresUser,
    `--pwfile=${paths.passwordFile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=trust',
    '--encoding=UTF8',
    '--locale=C',
  ];
  if (fast) args.push('--no-sync');
  await runCommand(join(binDir, 'initdb'), args, { cwd: paths.root, runAs });
  appendFileSync(join(paths.data, 'postgresql.conf'), `\n${includeLine}\n`);
}

/**
 * Our settings live in their own file, rewritten at each start (the port may change), and are
 * pulled in by one include line initdb's postgresql.conf gets once.
 */
function writeServerSettings(data: string, port: number, fast: boolean, runAs: RunAs | undefined): void {
  const lines = [
    `port = ${port}`,
    `listen_addresses = '${loopbackHost}'`,
    // Never /var/run/postgresql: it may not exist, and is not ours to write to.
    `unix_socket_directories = '${data}'`,
    `max_connections = ${connectionsMax}`,
    "log_destination = 'stderr'",
    "log_min_messages = 'warning'",
    ...postgresTuningLines(),
  ];
  // Durability off is fine for a throwaway test server and never for a developer's data.
  if (fast) lines.push('fsync = off', 'synchronous_commit = off', 'full_page_writes = off');
  const file = join(data, 'wallet.conf');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  if (runAs) chownSync(file, runAs.uid, runAs.gid);
}

/** Longest socket path the kernel takes (sun_path is 108 bytes with its NUL). */
const socketPathMax = 107;

/**
 * The URL with `?host=<data dir>`: pg (and libpq) then connect over the server's Unix socket
 * there, keeping 127.0.0.1:port only as a name. Per query that saves the loopback TCP stack on
 * both sides: in a 16-client micro-benchmark, ~10 µs of node and ~12 µs of PostgreSQL CPU of
 * ~40 + ~80 µs (bench/tuning-notes.md). Local connections are trusted (initdb --auth-local=trust),
 * which is safe because the socket is in the 0700 data directory. A data directory too deep for a
 * socket path keeps TCP (postgres creates no socket there either).
 */
function viaUnixSocket(tcpUrl: string, dataDir: string, port: number): string {
  if (join(dataDir, `.s.PGSQL.${port}`).length > socketPathMax) return tcpUrl;
  // %-escaped, not URLSearchParams' form encoding: libpq reads a '+' as a plus, not a space.
  return `${tcpUrl}?host=${encodeURIComponent(dataDir)}`;
}

function ensurePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // Hex only, so the password needs no escaping in a URL.
  const password = randomBytes(18).toString('hex');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function chownTree(root: string, runAs: RunAs): void {
  // `chown -R` rather than a JS walk: the data dir holds about a thousand files.
  execFileSync('chown', ['-R', `${runAs.uid}:${runAs.gid}`, root]);
}

function failure(step: string, error: unknown, logFile: string): never {
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(`postgres failed to start (${step}): ${message}\n${readLogTail(logFile)}`);
}
