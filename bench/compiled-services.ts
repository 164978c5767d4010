import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../scripts/stack/paths.ts';

export type ServiceName = 'user-service' | 'transactions-service';
export const SERVICE_NAMES: readonly ServiceName[] = ['user-service', 'transactions-service'];

/** Production runs the compiled services (Dockerfile: `node dist/services/<name>/src/server.js`). */
export function compiledServerScript(service: ServiceName): string {
  return join(repoRoot, 'dist', 'services', service, 'src', 'server.js');
}

export function sourceServerScript(service: ServiceName): string {
  return join(repoRoot, 'services', service, 'src', 'server.ts');
}

/** What the build reads: a change to any of these makes dist stale. */
const BUILD_INPUTS = [
  'services',
  'scripts/stack',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];
const SOURCE_FILE = /\.(ts|sql|json)$/;

function newestMtimeMs(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return SOURCE_FILE.test(path) ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  }
  return newest;
}

/** The oldest compiled server: tsc rewrites every output on each build, so this is the last build's time. */
function builtAtMs(): number {
  const times = SERVICE_NAMES.map(
    (service) => statSync(compiledServerScript(service), { throwIfNoEntry: false })?.mtimeMs ?? 0,
  );
  return Math.min(...times);
}

/** Runs `npm run build` when dist is missing or older than a source it is built from. */
export function ensureCompiledServices(log: (line: string) => void): void {
  const sourcesMs = Math.max(...BUILD_INPUTS.map((input) => newestMtimeMs(join(repoRoot, input))));
  const builtMs = builtAtMs();
  if (builtMs >= sourcesMs) return;
  log(builtMs === 0 ? 'dist missing: npm run build' : 'dist older than the sources: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}
