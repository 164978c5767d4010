import type { QueryResult, QueryResultRow } from 'pg';

/** A pool or a client inside a transaction: repository functions accept either. */
export type Queryable = {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
};
