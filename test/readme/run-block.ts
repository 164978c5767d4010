import { spawn } from 'node:child_process';

/** One README block, all its commands; generous for a first `npx wallet` that builds the bundle. */
export const BLOCK_TIMEOUT_MS = 150_000;
const MARK = '::readme-command::';

export type BlockRun = { code: number | null; stdout: string; stderr: string; failedCommand?: string };

/**
 * Runs a block's commands, as written, in one bash (so `x=$(…)` carries to the next line), in
 * `cwd`, with no stdin and no terminal. The first command that fails stops it (errexit,
 * pipefail) and is named in the result: each is announced on stderr before it runs.
 */
export function runBlock(cwd: string, commands: string[], env: Record<string, string>): Promise<BlockRun> {
  const script = [
    'set -eo pipefail',
    ...commands.flatMap((command) => [`printf '%s%s\\n' '${MARK}' ${shellQuote(command)} >&2`, command]),
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), BLOCK_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const announced = stderr.split('\n').filter((line) => line.startsWith(MARK));
      const last = announced.at(-1)?.slice(MARK.length);
      resolve({ code, stdout, stderr, ...(code === 0 ? {} : { failedCommand: last }) });
    });
  });
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
