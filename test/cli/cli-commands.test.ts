import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, getStack, waitFor } from '../support/index.ts';
import {
  buildCliForTest,
  type CliRun,
  cliEnv,
  runCli,
  type ServicesUnderTest,
  spawnCli,
  startServicesForTest,
} from './cli-harness.ts';

const EVENT_WAIT_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the wallet CLI, built, against both services', () => {
  let bin: string;
  let buildDir: string;
  let services: ServicesUnderTest;
  const wallet = (...args: string[]): Promise<CliRun> => runCli(bin, args, cliEnv(services));
  const json = (run: CliRun) => JSON.parse(run.stdout);

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildCliForTest(), startServicesForTest('cli')]);
    ({ bin, dir: buildDir } = built);
    services = started;
  });

  afterAll(async () => {
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  describe('create-user', () => {
    it('Given a new email, When created, Then it waits for the wallet and says it is open with 0.00', async () => {
      // When
      const run = await wallet('create-user', 'alice@example.com');
      // Then
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('created alice@example.com');
      expect(run.stdout).toContain('wallet open, balance 0.00');
    });

    it('Given --json, When created, Then stdout is exactly one JSON document with the open wallet', async () => {
      const run = await wallet('create-user', 'Bob@Example.com', '--json');
      expect(run.code).toBe(0);
      const body = json(run);
      expect(body).toMatchObject({ email: 'bob@example.com', wallet: 'open', balance: '0.00' });
      expect(body.user_id).toMatch(UUID);
    });

    it('Given an email already registered, When created again, Then exit 5 with EMAIL_TAKEN and what to do', async () => {
      const run = await wallet('create-user', 'alice@example.com');
      expect(run.code).toBe(5);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('EMAIL_TAKEN');
      expect(run.stderr).toContain('wallet balance');
    });

    it('Given a malformed email, When created, Then exit 2 with INVALID_EMAIL', async () => {
      const run = await wallet('create-user', 'not-an-email', '--json');
      expect(run.code).toBe(2);
      expect(json(run).error.code).toBe('INVALID_EMAIL');
      expect(run.stderr).toContain('INVALID_EMAIL');
    });
  });

  describe('add-money', () => {
    it('Given alice, When 25 and then 0.1 and 0.2 are added, Then the balance is exactly 25.30', async () => {
      // When
      const first = await wallet('add-money', 'alice@example.com', '25');
      await wallet('add-money', 'alice@example.com', '0.1');
      const third = await wallet('add-money', 'alice@example.com', '0.2', '--json');
      // Then
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('added 25.00 to alice@example.com');
      expect(first.stdout).toContain('balance 25.00');
      expect(json(third)).toMatchObject({
        email: 'alice@example.com',
        amount: '0.20',
        balance: '25.30',
        replayed: false,
      });
    });

    it('Given a user id instead of an email, When money is added, Then it lands in that wallet', async () => {
      const bob = json(await wallet('balance', 'bob@example.com', '--json'));
      const run = await wallet('add-money', bob.user_id, '10.5', '--json');
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({ user_id: bob.user_id, amount: '10.50', balance: '10.50' });
    });

    it('Given a negative amount, When added, Then exit 2 with INVALID_AMOUNT and the balance is unchanged', async () => {
      const run = await wallet('add-money', 'alice@example.com', '-5');
      const separated = await wallet('add-money', 'alice@example.com', '--json', '--', '-5');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('INVALID_AMOUNT');
      expect(run.stderr).toContain('positive');
      expect(separated.code).toBe(2);
      expect(json(separated).error.code).toBe('INVALID_AMOUNT');
      expect(json(await wallet('balance', 'alice@example.com', '--json')).balance).toBe('25.30');
    });

    it('Given too many decimals or zero, When added, Then exit 2 with INVALID_AMOUNT', async () => {
      expect((await wallet('add-money', 'alice@example.com', '1.234')).code).toBe(2);
      expect((await wallet('add-money', 'alice@example.com', '0')).code).toBe(2);
      expect((await wallet('add-money', 'alice@example.com', 'ten')).stderr).toContain('INVALID_AMOUNT');
    });

    it('Given an unknown email, When money is added, Then exit 3 with USER_NOT_FOUND', async () => {
      const run = await wallet('add-money', 'nobody@example.com', '5', '--json');
      expect(run.code).toBe(3);
      expect(json(run).error.code).toBe('USER_NOT_FOUND');
      expect(run.stderr).toContain('wallet users');
    });

    it('Given an idempotency key, When the same deposit is sent twice, Then it counts once and the second is a replay', async () => {
      // Given
      const key = 'cli-test-deposit-0001';
      // When
      const first = json(
        await wallet('add-money', 'bob@example.com', '1', '--idempotency-key', key, '--json'),
      );
      const second = json(
        await wallet('add-money', 'bob@example.com', '1', '--idempotency-key', key, '--json'),
      );
      const other = await wallet('add-money', 'bob@example.com', '2', '--idempotency-key', key, '--json');
      // Then
      expect(second.transaction_id).toBe(first.transaction_id);
      expect(second.replayed).toBe(true);
      expect(second.balance).toBe(first.balance);
      expect(other.code).toBe(5);
      expect(json(other).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });
  });

  describe('transfer', () => {
    it('Given alice has 25.30, When she sends bob 5.30, Then both balances are shown, exact', async () => {
      const run = await wallet('transfer', 'alice@example.com', 'bob@example.com', '5.30');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('transferred 5.30 from alice@example.com to bob@example.com');
      expect(run.stdout).toMatch(/alice@example\.com\s+20\.00/);
      expect(run.stdout).toMatch(/bob@example\.com\s+16\.80/);
    });

    it('Given --json, When transferring, Then one document with both sides', async () => {
      const run = await wallet('transfer', 'bob@example.com', 'alice@example.com', '0.80', '--json');
      expect(run.code).toBe(0);
      expect(json(run)).toMatchObject({
        amount: '0.80',
        from: { email: 'bob@example.com', balance: '16.00' },
        to: { email: 'alice@example.com', balance: '20.80' },
      });
    });

    it('Given too little money, When transferring, Then exit 4 with INSUFFICIENT_FUNDS and a next step', async () => {
      const run = await wallet('transfer', 'bob@example.com', 'alice@example.com', '1000');
      expect(run.code).toBe(4);
      expect(run.stderr).toContain('INSUFFICIENT_FUNDS');
      expect(run.stderr).toContain('wallet add-money');
    });

    it('Given the same user twice, When transferring, Then exit 4 with SAME_ACCOUNT', async () => {
      const run = await wallet('transfer', 'bob@example.com', 'BOB@example.com', '1', '--json');
      expect(run.code).toBe(4);
      expect(json(run).error.code).toBe('SAME_ACCOUNT');
    });

    it('Given an unknown payee, When transferring, Then exit 3', async () => {
      expect((await wallet('transfer', 'bob@example.com', 'ghost@example.com', '1')).code).toBe(3);
    });
  });

  describe('balance, history, users', () => {
    it('Given alice, When her balance is asked, Then an aligned table with two decimals, held, available and status', async () => {
      const run = await wallet('balance', 'alice@example.com');
      expect(run.code).toBe(0);
      const [header, row] = run.stdout.trim().split('\n');
      expect(header).toMatch(/^email\s+user id\s+balance\s+held\s+available\s+status$/);
      expect(row).toMatch(/^alice@example\.com\s+[0-9a-f-]{36}\s+20\.80\s+0\.00\s+20\.80\s+active$/);
      expect(header!.length).toBe(row!.length);
    });

    it('Given alice’s deposits and transfers, When her history is listed, Then newest first with counterparties', async () => {
      const run = await wallet('history', 'alice@example.com');
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      // No holds yet, so no held column; the reference is what `wallet reverse` takes.
      expect(lines[0]).toMatch(/^time\s+kind\s+change\s+balance\s+counterparty\s+reference$/);
      expect(lines[1]).toMatch(/transfer in\s+\+0\.80\s+20\.80\s+bob@example\.com\s+[0-9a-f-]{36}$/);
      expect(lines.at(-1)).toMatch(/deposit\s+\+25\.00\s+25\.00\s+[0-9a-f-]{36}$/);
    });

    it('Given --limit 2 --json, When listing history, Then two rows and a cursor for more', async () => {
      const body = json(await wallet('history', 'alice@example.com', '--limit', '2', '--json'));
      expect(body.transactions).toHaveLength(2);
      expect(body.transactions[0]).toMatchObject({
        kind: 'transfer_in',
        balance_change: '0.80',
        new_balance: '20.80',
      });
      expect(body.next_cursor).not.toBeNull();
      const all = json(await wallet('history', 'alice@example.com', '--all', '--json'));
      expect(all.transactions).toHaveLength(5);
      expect(all.next_cursor).toBeNull();
    });

    it('Given a bad --limit, When listing, Then exit 2', async () => {
      const run = await wallet('history', 'alice@example.com', '--limit', '0');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--limit');
    });

    it('Given two users, When listed, Then both show, as a table and as JSON', async () => {
      const table = await wallet('users');
      expect(table.stdout).toMatch(/^email\s+user id\s+created \(UTC\)/);
      expect(table.stdout).toContain('alice@example.com');
      const body = json(await wallet('users', '--json'));
      expect(body.users.map((user: { email: string }) => user.email)).toEqual([
        'alice@example.com',
        'bob@example.com',
      ]);
      expect(body.next_cursor).toBeNull();
    });
  });

  describe('events', () => {
    it('Given the activity above, When events are read without --follow, Then all of them come back, exact, and it exits', async () => {
      const run = await wallet('events', '--json');
      expect(run.code).toBe(0);
      const { events } = json(run);
      const types = events.map((event: { type: string }) => event.type);
      expect(types.filter((type: string) => type === 'user-created')).toHaveLength(2);
      expect(types.filter((type: string) => type === 'money-transferred')).toHaveLength(2);
      const transfer = events.find((event: { amount?: string }) => event.amount === '5.30');
      expect(transfer).toMatchObject({
        type: 'money-transferred',
        from_balance: '20.00',
        to_balance: '16.80',
      });
    });

    it('Given --topic, When events are read for people, Then one line per event with emails', async () => {
      const run = await wallet('events', '--topic', 'money-transferred');
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(run.stdout).toContain('alice@example.com → bob@example.com 5.30');
    });

    it('Given events --follow, When money is added, Then the new event shows live, and Ctrl-C ends it with 0', async () => {
      // Given
      const follow = spawnCli(bin, ['events', '--follow', '--json'], cliEnv(services));
      try {
        // When: keep depositing until the consumer (joining its group) sees one
        const seen = await waitFor(
          'a live money-added event',
          async () => {
            await wallet('add-money', 'bob@example.com', '0.01');
            return follow.output.stdout.split('\n').find((line) => line.includes('"money-added"'));
          },
          EVENT_WAIT_MS,
        );
        // Then
        expect(JSON.parse(seen)).toMatchObject({ type: 'money-added', amount: '0.01' });
      } finally {
        follow.child.kill('SIGINT');
      }
      expect(await follow.exited).toBe(0);
    });
  });

  describe('errors, help and the rest', () => {
    it('Given no service listening, When a command runs, Then exit 6 with SERVICE_UNREACHABLE and how to start them', async () => {
      // Given: a port that was free a moment ago
      const port = await findFreePort();
      // When
      const run = await runCli(
        bin,
        ['balance', 'alice@example.com', '--user-service-url', `http://127.0.0.1:${port}`],
        cliEnv(services),
      );
      // Then
      expect(run.code).toBe(6);
      expect(run.stderr).toContain('SERVICE_UNREACHABLE');
      expect(run.stderr).toContain('npm start');
    });

    it('Given no terminal, When the dashboard is opened, Then exit 2 pointing to events --follow', async () => {
      const run = await wallet('dashboard');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('wallet events --follow');
    });

    it('Given --help, When asked, Then every command shows examples and the root lists the exit codes', async () => {
      const root = await wallet('--help');
      expect(root.code).toBe(0);
      expect(root.stdout).toContain('Exit codes:');
      expect(root.stdout).toContain('4  rejected');
      for (const command of [
        'create-user',
        'add-money',
        'transfer',
        'balance',
        'history',
        'users',
        'events',
        'dashboard',
        'stack',
      ]) {
        const help = await wallet(command, '--help');
        expect(help.code, command).toBe(0);
        expect(help.stdout, command).toContain('Examples:');
      }
    });

    it('Given an unknown command, When run, Then exit 2 with a one-line usage error', async () => {
      const run = await wallet('tranfser');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('USAGE');
      expect(run.stderr).toContain('transfer');
    });

    it('Given the test stack, When stack status and stack up run, Then they see it up and reuse it', async () => {
      const { dir } = getStack();
      const status = await wallet('stack', 'status', '--dir', dir, '--json');
      expect(status.code).toBe(0);
      expect(json(status)).toMatchObject({ postgres: { up: true }, nats: { up: true }, kafka: { up: true } });
      const up = await wallet('stack', 'up', '--dir', dir, '--json');
      expect(up.code).toBe(0);
      expect(json(up).kafka.brokers).toEqual(getStack().kafka.brokers);
      expect(json(up).postgres.adminUrl).toContain(':***@');
    });

    it('Given an empty stack dir, When stack status runs, Then exit 6 and all parts down', async () => {
      const run = await wallet('stack', 'status', '--dir', services.walletHome);
      expect(run.code).toBe(6);
      expect(run.stdout).toMatch(/kafka\s+down/);
    });
  });
});
