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
  /** False behind a transaction pooler that keeps no named statements (PgBouncer before 1.21). */
  preparedStatements?: boolean;
}): Pool {
  const pool = new pg.Pool({
    ...(options.preparedStatements === false ? { Client: UnpreparedClient } : {}),
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

/**
 * A client that sends every query unnamed. A named query is parsed once per connection and reused
 * (the money batch and the outbox relay use them: bench/tuning-notes.md); behind a transaction
 * pooler the next transaction may land on a server connection that never saw the statement, so
 * there each query is parsed every time instead. Results are the same either way.
 */
class UnpreparedClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this only forwards.
  override query(config: any, values?: any, callback?: any): any {
    if (config !== null && typeof config === 'object' && typeof config.name === 'string' && !config.submit) {
      const { name: _unnamed, ...unnamed } = config;
      return super.query(unnamed, values, callback);
    }
    return super.query(config, values, callback);
  }
}
