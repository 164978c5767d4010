import { withPostgresClient } from '../scripts/stack/postgres-client.ts';

/** The settings that decide what a commit costs, as the server reports them (SHOW), not as we meant them. */
export type PostgresSettings = {
  version: string;
  fsync: string;
  synchronousCommit: string;
  fullPageWrites: string;
  walSyncMethod: string;
  sharedBuffers: string;
  maxWalSize: string;
  checkpointTimeout: string;
  maxConnections: string;
};

const SETTINGS: Record<keyof PostgresSettings, string> = {
  version: 'server_version',
  fsync: 'fsync',
  synchronousCommit: 'synchronous_commit',
  fullPageWrites: 'full_page_writes',
  walSyncMethod: 'wal_sync_method',
  sharedBuffers: 'shared_buffers',
  maxWalSize: 'max_wal_size',
  checkpointTimeout: 'checkpoint_timeout',
  maxConnections: 'max_connections',
};

export async function readPostgresSettings(adminUrl: string): Promise<PostgresSettings> {
  return withPostgresClient(adminUrl, async (client) => {
    const settings = {} as PostgresSettings;
    for (const [key, name] of Object.entries(SETTINGS) as [keyof PostgresSettings, string][]) {
      const { rows } = await client.query<Record<string, string>>(`SHOW ${name}`);
      settings[key] = rows[0]?.[name] ?? '?';
    }
    return settings;
  });
}

/** Durable: a commit answered is on disk and a crash cannot tear a page (pgbench's yardstick assumes it). */
export function isDurable(settings: PostgresSettings): boolean {
  return settings.fsync === 'on' && settings.synchronousCommit !== 'off' && settings.fullPageWrites === 'on';
}

export function describePostgres(settings: PostgresSettings): string {
  return [
    `PostgreSQL ${settings.version}`,
    isDurable(settings) ? 'durable' : '**not durable**',
    `(fsync ${settings.fsync}, synchronous_commit ${settings.synchronousCommit}, full_page_writes ${settings.fullPageWrites}, wal_sync_method ${settings.walSyncMethod}, shared_buffers ${settings.sharedBuffers}, max_wal_size ${settings.maxWalSize}, checkpoint_timeout ${settings.checkpointTimeout}, max_connections ${settings.maxConnections})`,
  ].join(' ');
}
