import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getStack, startBothServices, TEST_OPERATOR_TOKEN, uniqueNamespace } from '../support/index.ts';

export const CLI_RUN_TIMEOUT_MS = 45_000;

/**
 * Builds the CLI with scripts/build-cli.ts into this file's own temp dir: test files run in
 * parallel and must not overwrite each other's bundle (or a developer's dist/).
 */
export async function buildCliForTest(): Promise<{ bin: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wallet-cli-test-'));
  const bin = join(dir, 'wallet.js');
  const { buildCli } = await import('../../scripts/build-cli.ts');
  await buildCli({ outfile: bin });
  return { bin, dir };
}

export type ServicesUnderTest = {
  namespace: string;
  userServiceUrl: string;
  transactionsServiceUrl: string;
  brokers: string[];
  /** A WALLET_HOME of its own: the CLI must not pick up a developer's .wallet files. */
  walletHome: string;
  stop(): Promise<void>;
};

/** Both services in-process on free ports, over fresh databases and a namespace of their own. */
export async function startServicesForTest(label: string): Promise<ServicesUnderTest> {
  const services = await startBothServices(label, {}, { namespace: uniqueNamespace() });
  const walletHome = mkdtempSync(join(tmpdir(), 'wallet-cli-home-'));
  return {
    namespace: services.namespace,
    userServiceUrl: services.users.url,
    transactionsServiceUrl: services.transactions.url,
    brokers: getStack().kafka.brokers,
    walletHome,
    async stop() {
      await services.stop();
      rmSync(walletHome, { recursive: true, force: true });
    },
  };
}

/** The environment a CLI run gets: only what it needs, so the machine's env cannot leak in. */
export function cliEnv(
  services: ServicesUnderTest,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    USER_SERVICE_URL: services.userServiceUrl,
    TRANSACTIONS_SERVICE_URL: services.transactionsServiceUrl,
    KAFKA_BROKERS: services.brokers.join(','),
    WALLET_NAMESPACE: services.namespace,
    WALLET_HOME: services.walletHome,
    // The services run with authentication on; the CLI sends this as its bearer token.
    WALLET_TOKEN: TEST_OPERATOR_TOKEN,
    ...extra,
  };
}

export type CliRun = { code: number; stdout: string; stderr: string };

/** Runs `node <bin> ...args` without a TTY and collects everything. */
export function runCli(bin: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env, timeout: CLI_RUN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Starts a long-running CLI (events --follow) and collects its output as it comes. */
export function spawnCli(bin: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}
