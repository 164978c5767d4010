import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/index.ts';
import {
  buildCliForTest,
  cliEnv,
  runCli,
  type ServicesUnderTest,
  startServicesForTest,
} from './cli-harness.ts';

const run = promisify(execFile);
const SCREEN_WAIT_MS = 30_000;
const TERMINAL_COLUMNS = 100;
const TERMINAL_ROWS = 30;

const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The dashboard in a real terminal: tmux on a private socket (never the developer's server) runs
 * `wallet dashboard`; a transfer made through the CLI must show on screen.
 */
// tmux is installed by scripts/bootstrap.sh: a missing tmux fails this test rather than skipping it.
describe('wallet dashboard in a real terminal (tmux)', () => {
  const socket = `wallet-test-${randomBytes(4).toString('hex')}`;
  const session = 'dashboard';
  let bin: string;
  let buildDir: string;
  let services: ServicesUnderTest;
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);
  const screen = async () => (await tmux('capture-pane', '-p', '-t', session)).stdout;

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildCliForTest(), startServicesForTest('tmux')]);
    ({ bin, dir: buildDir } = built);
    services = started;
  });

  afterAll(async () => {
    await tmux('kill-server').catch(() => {});
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('Given two funded users on screen, When one transfers to the other through the CLI, Then the dashboard shows the new balances', async () => {
    // Given
    const env = cliEnv(services);
    for (const email of ['payer@example.com', 'payee@example.com']) {
      expect((await runCli(bin, ['create-user', email], env)).code).toBe(0);
    }
    expect((await runCli(bin, ['add-money', 'payer@example.com', '100'], env)).code).toBe(0);
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${shellQuote(value)}`);
    const command = `env ${assignments.join(' ')} ${shellQuote(process.execPath)} ${shellQuote(bin)} dashboard`;
    await tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      String(TERMINAL_COLUMNS),
      '-y',
      String(TERMINAL_ROWS),
      command,
    );
    await waitFor(
      'both users and kafka up on screen',
      async () => {
        const text = await screen();
        return /payer@example\.com\s+100\.00/.test(text) &&
          text.includes('payee@example.com') &&
          text.includes('● kafka up')
          ? text
          : undefined;
      },
      SCREEN_WAIT_MS,
    );

    // When
    const transfer = await runCli(bin, ['transfer', 'payer@example.com', 'payee@example.com', '12.34'], env);
    expect(transfer.code).toBe(0);

    // Then
    const after = await waitFor(
      'the new balances on screen',
      async () => {
        const text = await screen();
        return /payer@example\.com\s+87\.66\s+-12\.34/.test(text) &&
          /payee@example\.com\s+12\.34\s+\+12\.34/.test(text)
          ? text
          : undefined;
      },
      SCREEN_WAIT_MS,
    );
    expect(after).toContain('total 100.00');
    expect(after).toContain('payer@example.com → payee@example.com 12.34');

    // q quits and leaves the session's shell command done
    await tmux('send-keys', '-t', session, 'q');
    await waitFor(
      'the dashboard to quit',
      async () =>
        (await tmux('has-session', '-t', session).then(
          () => true,
          () => false,
        ))
          ? undefined
          : true,
      SCREEN_WAIT_MS,
    );
  });
});
