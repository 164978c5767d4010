import { withPostgresClient } from '../scripts/stack/postgres-client.ts';

/**
 * What else, beside durability, makes a commit on one server cost something else than on the
 * other: the HA nodes are initialised with data checksums and run with wal_log_hints (pg_rewind
 * needs one of them), which the single server does not; and how the bench reaches the server.
 */
export type ReplicationSettings = {
  synchronousStandbyNames: string;
  dataChecksums: string;
  walLogHints: string;
  /** The services' and pgbench's way in: the single server's Unix socket, or TCP (through HAProxy). */
  transport: 'unix socket' | 'tcp';
};

/**
 * One look at the primary after a measured run. Patroni runs `synchronous_mode` non-strict: a
 * standby that falls behind is dropped from synchronous_standby_names and the primary commits
 * alone, which would make the HA figures those of a single server. The checks say whether that
 * happened during the run.
 */
export type SyncCheck = {
  after: string;
  synchronousStandbyNames: string;
  /** Standbys pg_stat_replication reports as sync (or quorum). */
  syncStandbys: number;
};

export async function readReplicationSettings(adminUrl: string): Promise<ReplicationSettings> {
  return withPostgresClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ names: string; checksums: string; hints: string }>(
      `select current_setting('synchronous_standby_names') as names,
              current_setting('data_checksums') as checksums,
              current_setting('wal_log_hints') as hints`,
    );
    return {
      synchronousStandbyNames: rows[0]?.names ?? '?',
      dataChecksums: rows[0]?.checksums ?? '?',
      walLogHints: rows[0]?.hints ?? '?',
      transport: new URL(adminUrl).searchParams.has('host') ? 'unix socket' : 'tcp',
    };
  });
}

export async function checkSync(adminUrl: string, after: string): Promise<SyncCheck> {
  return withPostgresClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ names: string; sync: number }>(
      `select current_setting('synchronous_standby_names') as names,
              (select count(*)::int from pg_stat_replication
                where sync_state in ('sync', 'quorum')) as sync`,
    );
    return { after, synchronousStandbyNames: rows[0]?.names ?? '', syncStandbys: rows[0]?.sync ?? 0 };
  });
}

export const inSync = (check: SyncCheck) => check.synchronousStandbyNames !== '' && check.syncStandbys > 0;
