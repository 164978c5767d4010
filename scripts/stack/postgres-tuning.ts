/**
 * Server settings every PostgreSQL of the platform runs with beyond the defaults: the stack's single
 * server (npm start, the bench, the tests), the HA nodes (patroni-config.ts) and docker compose's,
 * in `docker-compose.yml` and `docker/patroni/patroni.yml` (a test checks both carry these).
 *
 * PostgreSQL's defaults are sized for a small shared machine, and under the money commands they put
 * work inside the batches' wallet locks, where batches that share wallets wait for each other
 * (bench/tuning-notes.md, "What the wallet locks wait for"):
 * - 128 MB of buffers fill within seconds of transfers (ledger rows, outbox, keys), after which a
 *   batch writes out a dirty page itself before it can read the next one.
 * - 1 GB of WAL between checkpoints is about a minute of transfers, and after each checkpoint every
 *   page is logged whole on its first change.
 * - A background writer that cleans at most 100 pages every 200 ms leaves that writing to the
 *   batches; cleaning more, more often, does it on the other core.
 */
export const POSTGRES_TUNING: Readonly<Record<string, string>> = {
  shared_buffers: '1GB',
  max_wal_size: '2GB',
  checkpoint_timeout: '15min',
  bgwriter_delay: '10ms',
  bgwriter_lru_maxpages: '1000',
  bgwriter_lru_multiplier: '4',
};

/** The settings as postgresql.conf lines. */
export function postgresTuningLines(): string[] {
  return Object.entries(POSTGRES_TUNING).map(([name, value]) => `${name} = '${value}'`);
}
