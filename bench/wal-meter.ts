import { withPostgresClient } from '../scripts/stack/postgres-client.ts';

/**
 * WAL written while `work` runs, in bytes: the whole cluster's, so run it when nothing else writes.
 * WAL per operation is the figure that changes with the schema (fillfactor, what a row holds), and
 * unlike operations per second it does not drift with the machine.
 */
export async function measureWal<T>(
  url: string,
  work: () => Promise<T>,
): Promise<{ result: T; walBytes: bigint }> {
  const start = await currentWalLsn(url);
  const result = await work();
  const walBytes = await withPostgresClient(url, async (client) => {
    const { rows } = await client.query<{ bytes: string }>(
      'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::bigint::text AS bytes',
      [start],
    );
    return BigInt(rows[0]?.bytes ?? '0');
  });
  return { result, walBytes };
}

async function currentWalLsn(url: string): Promise<string> {
  return withPostgresClient(url, async (client) => {
    const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    return rows[0]?.lsn ?? '0/0';
  });
}
