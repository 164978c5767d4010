import type { Pool, PoolClient } from './pool.ts';

/** Reads run on the pool or inside a transaction; writes always take the transaction's client. */
export type Queryable = Pool | PoolClient;
