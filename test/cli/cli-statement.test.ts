import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/index.ts';
import {
  buildCliForTest,
  type CliRun,
  cliEnv,
  runCli,
  type ServicesUnderTest,
  startServicesForTest,
} from './cli-harness.ts';

/** Deposits sent straight over HTTP so the statement spans more than one 500-row page. */
const MANY_DEPOSITS = 520;
const CSV_HEADER_START = 'id,user_id,seq,kind,balance_change,';

/**
 * `wallet balance --at` and `wallet statement` through the built CLI against both services.
 * dan gets 100.00, sends eve 12.50, then MANY_DEPOSITS deposits of 0.01; the tests only read.
 */
describe('the wallet CLI’s balances at a moment and statements', () => {
  let bin: string;
  let buildDir: string;
  let outDir: string;
  let services: ServicesUnderTest;
  let beforeAnything: string;
  let afterEverything: string;
  let danId: string;
  const wallet = (...args: string[]): Promise<CliRun> => runCli(bin, args, cliEnv(services));
  const json = (run: CliRun) => JSON.parse(run.stdout);
  const period = () => ['--from', beforeAnything, '--to', afterEverything];

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildCliForTest(), startServicesForTest('cli-statement')]);
    ({ bin, dir: buildDir } = built);
    services = started;
    outDir = mkdtempSync(join(tmpdir(), 'wallet-cli-statement-'));
    for (const email of ['dan@example.com', 'eve@example.com']) {
      const created = await wallet('create-user', email);
      expect(created.code, created.stderr).toBe(0);
    }
    danId = json(await wallet('balance', 'dan@example.com', '--json')).user_id;
    beforeAnything = new Date(Date.now() - 1000).toISOString();
    expect((await wallet('add-money', 'dan@example.com', '100')).code).toBe(0);
    expect((await wallet('transfer', 'dan@example.com', 'eve@example.com', '12.50')).code).toBe(0);
    for (let sent = 0; sent < MANY_DEPOSITS; sent += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const deposit = await call(services.transactionsServiceUrl, 'POST', '/addMoney', {
            json: { user_id: danId, amount: '0.01' },
          });
          expect(deposit.status).toBe(200);
        }),
      );
    }
    afterEverything = new Date(Date.now() + 1000).toISOString();
  });

  afterAll(async () => {
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('Given dan’s history, When his balance is asked --at before it and after it, Then zero with no transaction, then today’s balance', async () => {
    // When
    const before = await wallet('balance', 'dan@example.com', '--at', beforeAnything, '--json');
    const after = await wallet('balance', 'dan@example.com', '--at', afterEverything, '--json');
    const table = await wallet('balance', 'dan@example.com', '--at', afterEverything);

    // Then
    expect(before.code, before.stderr).toBe(0);
    expect(json(before)).toEqual({
      user_id: danId,
      email: 'dan@example.com',
      at: beforeAnything,
      balance: '0.00',
      held: '0.00',
      available_balance: '0.00',
      as_of_transaction_id: null,
    });
    expect(json(after)).toMatchObject({ balance: '92.70', held: '0.00', available_balance: '92.70' });
    expect(json(after).as_of_transaction_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/dan@example\.com\s+\S+\s+92\.70\s+0\.00\s+92\.70\s+[0-9a-f-]{36}/);
  });

  it('Given a period over all of dan’s rows, When the statement is asked as JSON, Then every page is followed and closing = opening + the rows', async () => {
    // When
    const run = await wallet('statement', 'dan@example.com', ...period(), '--json');

    // Then
    expect(run.code, run.stderr).toBe(0);
    const statement = json(run);
    expect(statement).toMatchObject({
      user_id: danId,
      email: 'dan@example.com',
      opening_balance: '0.00',
      closing_balance: '92.70',
      truncated: false,
    });
    expect(statement.transactions).toHaveLength(MANY_DEPOSITS + 2);
    expect(statement.transactions.map((row: { seq: number }) => row.seq)).toEqual(
      Array.from({ length: MANY_DEPOSITS + 2 }, (_, index) => index + 1),
    );
    const changes = statement.transactions.reduce(
      (sum: number, row: { balance_change: string }) => sum + Math.round(Number(row.balance_change) * 100),
      0,
    );
    expect(changes).toBe(9270);
    expect(statement.totals.deposit).toEqual({
      count: MANY_DEPOSITS + 1,
      amount_in: '105.20',
      amount_out: '0.00',
    });
    expect(statement.totals.transfer_out).toEqual({ count: 1, amount_in: '0.00', amount_out: '12.50' });
  });

  it('Given the same period, When the statement is shown as a table, Then it shows the balances, the totals by kind and the rows', async () => {
    // When
    const run = await wallet('statement', 'dan@example.com', ...period(), '--no-color');

    // Then
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('statement of dan@example.com');
    expect(run.stdout).toMatch(/opening balance 0\.00\n/);
    expect(run.stdout).toMatch(/closing balance 92\.70\n/);
    expect(run.stdout).toMatch(/deposit\s+521\s+105\.20\s+0\.00/);
    expect(run.stdout).toMatch(/transfer_out\s+1\s+0\.00\s+12\.50/);
    expect(run.stdout).toMatch(/transfer out\s+-12\.50\s+87\.50\s+eve@example\.com/);
  });

  it('Given --csv, When written to stdout and with -o to a file, Then a header line and one line per row, and no partial file left', async () => {
    // Given
    const file = join(outDir, 'dan.csv');

    // When
    const toStdout = await wallet('statement', 'dan@example.com', ...period(), '--csv');
    const toFile = await wallet('statement', 'dan@example.com', ...period(), '--csv', '-o', file);
    const toFileJson = await wallet('statement', danId, ...period(), '--csv', '-o', file, '--json');

    // Then
    expect(toStdout.code, toStdout.stderr).toBe(0);
    const lines = toStdout.stdout.split('\r\n');
    expect(lines[0]?.startsWith(CSV_HEADER_START)).toBe(true);
    expect(lines).toHaveLength(MANY_DEPOSITS + 2 + 2);
    expect(lines[1]).toMatch(/^[0-9a-f-]{36},[0-9a-f-]{36},1,deposit,100\.00,0\.00,100\.00,/);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stdout).toBe(`wrote ${MANY_DEPOSITS + 2} rows to ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(toStdout.stdout);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(json(toFileJson)).toEqual({ user_id: danId, rows: MANY_DEPOSITS + 2, file });
  });

  it('Given bad times, a reversed period, --csv --json without a file and an unknown user, When asked, Then exit 2 or 3 with the code and advice', async () => {
    // When
    const badAt = await wallet('balance', 'dan@example.com', '--at', '2026-11-01', '--json');
    const badFrom = await wallet(
      'statement',
      'dan@example.com',
      '--from',
      'yesterday',
      '--to',
      afterEverything,
    );
    const reversed = await wallet(
      'statement',
      'dan@example.com',
      '--from',
      afterEverything,
      '--to',
      beforeAnything,
      '--json',
    );
    const csvJson = await wallet('statement', 'dan@example.com', ...period(), '--csv', '--json');
    const unknown = await wallet('statement', 'nobody@example.com', ...period(), '--json');

    // Then
    expect([badAt.code, json(badAt).error.code]).toEqual([2, 'INVALID_TIME']);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toContain('RFC 3339');
    expect([reversed.code, json(reversed).error.code]).toEqual([2, 'INVALID_TIME_RANGE']);
    expect([csvJson.code, json(csvJson).error.code]).toEqual([2, 'USAGE']);
    expect([unknown.code, json(unknown).error.code]).toEqual([3, 'USER_NOT_FOUND']);
  });
});
