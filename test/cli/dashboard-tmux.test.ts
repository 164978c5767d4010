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

  it('Given two funded users on screen, When they transfer, hold, withdraw and freeze through the CLI, Then the dashboard shows balances, held, available, status, events and open holds', async () => {
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
        return /payer@example\.com\s+87\.66\s+87\.66\s+-12\.34/.test(text) &&
          /payee@example\.com\s+12\.34\s+12\.34\s+\+12\.34/.test(text)
          ? text
          : undefined;
      },
      SCREEN_WAIT_MS,
    );
    expect(after).toContain('total 100.00');
    expect(after).toContain('payer@example.com → payee@example.com 12.34');

    // When: a hold, a withdrawal and a freeze through the CLI
    expect((await runCli(bin, ['hold', 'payer@example.com', 'payee@example.com', '7.66'], env)).code).toBe(0);
    expect((await runCli(bin, ['withdraw', 'payee@example.com', '2.34'], env)).code).toBe(0);
    expect((await runCli(bin, ['freeze', 'payer@example.com', '--reason', 'review'], env)).code).toBe(0);

    // Then: held and available beside the balance, the status, the new events, the new total
    const held = await waitFor(
      'held, available, frozen and the new events on screen',
      async () => {
        const text = await screen();
        return /payer@example\.com\s+87\.66\s+7\.66\s+80\.00\s+-12\.34\s+frozen/.test(text) &&
          /payee@example\.com\s+10\.00\s+10\.00\s+-2\.34/.test(text) &&
          text.includes('payer@example.com frozen: review')
          ? text
          : undefined;
      },
      SCREEN_WAIT_MS,
    );
    expect(held).toContain('total 97.66');
    expect(held).toContain('held 7.66');
    expect(held).toMatch(/hold-created\s+payer@example\.com → payee@example\.com 7\.66 until/);
    expect(held).toMatch(/money-withdrawn\s+payee@example\.com -2\.34 → 10\.00/);

    // Tab shows the open holds
    await tmux('send-keys', '-t', session, 'Tab');
    await waitFor(
      'the open hold on screen',
      async () => {
        const text = await screen();
        return text.includes('1 pending') && /payer@example\.com → payee@example\.com 7\.66 until/.test(text)
          ? text
          : undefined;
      },
      SCREEN_WAIT_MS,
    );

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
