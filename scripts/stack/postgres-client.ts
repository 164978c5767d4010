import pg from 'pg';

const connectTimeoutMs = 2_000;

/** Opens a connection, runs `work`, and always closes it. */
export async function withPostgresClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Readiness: a real SQL round trip, not just an open port. */
export async function probePostgres(url: string): Promise<void> {
  await withPostgresClient(url, async (client) => {
    const result = await client.query<{ ok: number }>('select 1 as ok');
    if (result.rows[0]?.ok !== 1) throw new Error(`unexpected probe answer from ${redactUrl(url)}`);
  });
}

/** Creates the database unless it exists; a concurrent creator winning the race is fine. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  await withPostgresClient(adminUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`create database ${quoteIdentifier(name)}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
  });
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Replaces the database name in a connection URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
