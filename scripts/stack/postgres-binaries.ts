import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const debianRoot = '/usr/lib/postgresql';

/**
 * The directory holding initdb, pg_ctl and postgres: from PATH first (a developer's own build
 * wins), else Debian's versioned `/usr/lib/postgresql/<major>/bin`, newest major first.
 * Debian keeps these out of PATH, hence the second look.
 */
export function findPostgresBinDir(): string {
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    const initdb = join(entry, 'initdb');
    if (!entry || !existsSync(initdb)) continue;
    const binDir = dirname(realpathSync(initdb));
    if (existsSync(join(binDir, 'pg_ctl')) && existsSync(join(binDir, 'postgres'))) return binDir;
  }
  const majors = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const binDir = join(debianRoot, major, 'bin');
    if (existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'pg_ctl'))) return binDir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; ' +
      'run `bash scripts/bootstrap.sh` (it installs postgresql-15)',
  );
}
