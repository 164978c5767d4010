import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's place rather than the caller's cwd. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Where a stack keeps its data: `WALLET_HOME`, else `<repo>/.wallet`. */
export function defaultStackDir(): string {
  const fromEnv = process.env.WALLET_HOME;
  return fromEnv ? resolve(fromEnv) : resolve(repoRoot, '.wallet');
}

/**
 * Downloads shared by every stack on this machine (the Kafka jars), kept apart from a stack's
 * data so a throwaway test stack does not fetch them again.
 */
export function defaultCacheDir(): string {
  const fromEnv = process.env.WALLET_CACHE_DIR;
  return fromEnv ? resolve(fromEnv) : resolve(repoRoot, '.wallet', 'cache');
}
