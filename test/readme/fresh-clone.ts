import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../scripts/stack/paths.ts';

const run = promisify(execFile);
/** `npm ci` of the whole tree, Node 24 binary included, on a busy 2-core machine. */
export const INSTALL_TIMEOUT_MS = 180_000;

/**
 * PATH as a person's shell has it: without any node_modules/.bin (npm run puts the repo's first),
 * so `npx wallet` must be found the way npm finds it in a fresh clone, and `node` is the machine's.
 */
export function personPath(path: string = process.env.PATH ?? ''): string {
  return path
    .split(':')
    .filter((entry) => entry !== '' && !entry.includes('node_modules'))
    .join(':');
}

/**
 * A fresh clone of the repo's committed HEAD (what CI runs on; commit before running this) with
 * a real `npm ci`, from npm's cache (the repo's own install filled it; the registry for anything
 * missing), about 12 s: no dist/,
 * no .wallet, no `npm link`, node_modules/.bin exactly as npm makes it. A symlink to the repo's
 * node_modules would not do: the workspace link inside it points back at the repo's cli/.
 */
export async function freshClone(env: Record<string, string>): Promise<{ dir: string; remove(): void }> {
  const parent = mkdtempSync(join(tmpdir(), 'wallet-readme-'));
  const dir = join(parent, 'wallet');
  const remove = () => rmSync(parent, { recursive: true, force: true });
  try {
    await run('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, dir], { env });
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      env,
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { dir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
