import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './stack/paths.ts';

/**
 * tsc compiles services/<name>/src to dist/services/<name>/src but leaves the SQL behind; a
 * service reads its migrations from `../migrations` beside its code, so they go along into dist.
 */
for (const name of readdirSync(join(repoRoot, 'services'))) {
  const source = join(repoRoot, 'services', name, 'migrations');
  try {
    cpSync(source, join(repoRoot, 'dist', 'services', name, 'migrations'), { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
