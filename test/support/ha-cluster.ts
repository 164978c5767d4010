import { rmSync } from 'node:fs';
import { stopHaPostgres } from '../../scripts/stack/ha/index.ts';

/**
 * Stops a test's Patroni cluster and removes its directory, unless KEEP_HA_DIR=1 asks to keep the
 * logs of every etcd, Patroni and PostgreSQL for a post-mortem. A failed stop is reported, not
 * thrown: the test's own verdict is what matters in teardown.
 */
export async function stopTestHaCluster(dir: string): Promise<void> {
  await stopHaPostgres(dir).catch((error: unknown) => console.error(error));
  if (!process.env.KEEP_HA_DIR) rmSync(dir, { recursive: true, force: true });
}
