#!/usr/bin/env node
/**
 * `wallet` as npm links it (`npx wallet` in the repo, `npm link` anywhere): runs the bundled CLI,
 * dist/cli/wallet.js, building it first when it is missing or older than any source it is built
 * from. npm only links a bin whose file exists at install time, and dist/ is not committed, so
 * this small committed file is the bin and the bundle is made on first use: a fresh clone works
 * after `npm ci` whatever ran before (`npm start` on a terminal or not, `npm test`, nothing).
 * Plain JavaScript with no dependencies, so it runs on any Node that can run npm.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bundleDir = join(repoRoot, 'dist', 'cli');
const bundle = join(bundleDir, 'wallet.js');
/** What the bundle is built from (scripts/build-cli.ts and the stack code it imports are in scripts/). */
const SOURCES = ['cli/src', 'services/shared/src', 'scripts', 'package-lock.json'];

if (needsBuild() && !build()) {
  if (!existsSync(bundle)) {
    process.stderr.write(
      'error BUILD_FAILED: could not build the CLI — run `npm ci` in the repo, then `npm run build`\n',
    );
    process.exit(1);
  }
  // A checkout this user may not write to (npm link by someone else): the last bundle still runs.
  process.stderr.write('wallet: could not rebuild the CLI; running the bundle built before\n');
}
await import(pathToFileURL(bundle).href);

function needsBuild() {
  if (!existsSync(bundle)) return true;
  const builtMs = statSync(bundle).mtimeMs;
  return SOURCES.some((source) => newestMtimeMs(join(repoRoot, source)) > builtMs);
}

function newestMtimeMs(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/**
 * Runs scripts/build-cli.ts, which writes the bundle atomically (two first runs at once never load
 * half a file), with the repo's own Node (node_modules/.bin/node, Node 24): the Node running this
 * file may be too old for TypeScript. Whether it worked; the build's errors are on stderr.
 */
function build() {
  process.stderr.write('wallet: building the CLI bundle (dist/cli/wallet.js) once…\n');
  const repoNode = join(repoRoot, 'node_modules', '.bin', 'node');
  const node = existsSync(repoNode) ? repoNode : process.execPath;
  // Only the build's errors show, on stderr: stdout belongs to the command (--json).
  const result = spawnSync(node, [join(repoRoot, 'scripts', 'build-cli.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 2],
  });
  if (result.error) process.stderr.write(`wallet: ${result.error.message}\n`);
  return result.status === 0;
}
