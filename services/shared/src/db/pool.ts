import pg from 'pg';

export const POOL_SIZE_DEFAULT = 10;
export const CONNECT_TIMEOUT_MS = 5_000;
/** A statement that runs longer than this is cancelled by PostgreSQL: no request waits forever on a lock. */
export const STATEMENT_TIMEOUT_MS = 10_000;

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(options: {
  connectionString: string;
  max?: number;
  applicationName: string;
}): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? POOL_SIZE_DEFAULT,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: options.applicationName,
  });
  // An idle client that loses its connection (database restart) emits here; without a
  // listener the process would crash. The pool drops the client and makes a new one.
  pool.on('error', () => {});
  // pg also emits 'error' on a checked-out client whose connection dies between queries (a
  // database restart while a transaction such as a money batch is open). The failed query still
  // rejects, and withTransaction discards the client; the listener only keeps the process alive.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}
