import { spawn } from 'node:child_process';

const SERVER_EXIT_TIMEOUT_MS = 15_000;

/**
 * Runs a service's server.ts (`node services/<service>/src/server.ts`) with exactly `env` and
 * waits for it to exit on its own, as it must on a bad configuration; one that is still running
 * after the timeout is killed and fails the wait.
 */
export async function runServerUntilExit(
  service: 'user-service' | 'transactions-service',
  env: Record<string, string | undefined>,
): Promise<{ exitCode: number | null; stderr: string }> {
  const child = spawn(process.execPath, [`services/${service}/src/server.ts`], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${service} server.ts did not exit`)),
        SERVER_EXIT_TIMEOUT_MS,
      );
      child.on('exit', resolve);
    });
    return { exitCode, stderr };
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
  }
}
