import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatementView, TransactionView } from '../../services/shared/src/contracts/transactions-api.ts';
import { numericToMinor } from '../../services/shared/src/money.ts';
import {
  call,
  createTestDatabase,
  type HttpResult,
  startTestTransactionsService,
  uniqueNamespace,
  writeTokensFile,
} from '../support/index.ts';
import { expectOk, expectProblem, moneyClient } from './money-operations-harness.ts';
import {
  openPool,
  openWalletsDirectly,
  type TransactionsServiceFixture,
} from './transactions-service-harness.ts';

const READER_TOKEN = 'statements-reader-token-4d1c9e';
const OWNER_TOKEN = 'statements-owner-token-8a2f7b';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const CSV_HEADER =
  'id,user_id,seq,kind,balance_change,old_balance,new_balance,held_change,old_held,new_held,' +
  'transfer_id,counterparty_id,hold_id,reverses_id,reason,timestamp';

/** A row's time exactly, to the microsecond, as RFC 3339 (JSON rows carry milliseconds). */
type LedgerTime = { seq: number; micros: bigint; kind: string };

describe('balances at a moment and statements', () => {
  const tx = {} as TransactionsServiceFixture;
  const api = moneyClient(tx);
  const owner = randomUUID();
  let workDir: string;

  beforeAll(async () => {
    tx.database = await createTestDatabase('tx_statements');
    workDir = mkdtempSync(path.join(tmpdir(), 'tx-statements-'));
    const tokensFile = writeTokensFile(workDir, [
      { token: OWNER_TOKEN, scope: 'user', name: 'owner', user_id: owner },
    ]);
    tx.service = await startTestTransactionsService(tx.database.url, `${uniqueNamespace()}.`, {
      WALLET_READER_TOKEN: READER_TOKEN,
      WALLET_TOKENS_FILE: tokensFile,
    });
    tx.pool = openPool(tx.database.url);
    await tx.pool.query('INSERT INTO users (user_id) VALUES ($1::uuid)', [owner]);
  });

  afterAll(async () => {
    await tx.pool?.end();
    await tx.service?.stop();
    await tx.database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const get = (pathAndQuery: string, headers: Record<string, string> = {}) =>
    call(tx.service.url, 'GET', pathAndQuery, { headers });
  const balanceAt = (userId: string, at: string, headers?: Record<string, string>) =>
    get(`/wallets/${userId}/balance?at=${encodeURIComponent(at)}`, headers);
  const statementUrl = (userId: string, from: string, to: string, extra = '') =>
    `/wallets/${userId}/statement?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${extra}`;

  async function ledgerTimes(userId: string): Promise<LedgerTime[]> {
    const { rows } = await tx.pool.query<{ seq: number; micros: string; kind: string }>(
      `SELECT wallet_seq::int AS seq, kind,
              (extract(epoch FROM "timestamp") * 1000000)::bigint::text AS micros
         FROM transactions WHERE user_id = $1 ORDER BY wallet_seq`,
      [userId],
    );
    return rows.map((row) => ({ seq: row.seq, kind: row.kind, micros: BigInt(row.micros) }));
  }

  /** The database's clock now, as microseconds: the clock the ledger rows are stamped with. */
  async function databaseNowMicros(): Promise<bigint> {
    const { rows } = await tx.pool.query<{ micros: string }>(
      'SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text AS micros',
    );
    return BigInt(rows[0]!.micros);
  }

  /** Every page of a statement, following next_cursor. */
  async function allPages(url: string, limit: number): Promise<StatementView[]> {
    const pages: StatementView[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`${url}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expectOk(response);
      pages.push(response.json);
      cursor = response.json.next_cursor;
    } while (cursor !== null);
    return pages;
  }

  it('Given a wallet with a deposit, a withdrawal and a hold, When its balance is asked at each row’s exact time and just before, Then each answer is the ledger after the last row at or before it', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    const [payee] = await openWalletsDirectly(tx.pool, 1);
    expectOk(await api.deposit(userId!, '10.30'));
    expectOk(await api.withdraw(userId!, '0.30'));
    expectOk(await api.hold(userId!, payee!, '2.50'), 201);
    const times = await ledgerTimes(userId!);
    const ids = (
      await tx.pool.query('SELECT id::text FROM transactions WHERE user_id = $1 ORDER BY wallet_seq', [
        userId,
      ])
    ).rows.map((row) => row.id as string);
    const expected = [
      { balance: 10.3, held: 0, available_balance: 10.3 },
      { balance: 10, held: 0, available_balance: 10 },
      { balance: 10, held: 2.5, available_balance: 7.5 },
    ];

    for (const [index, time] of times.entries()) {
      // When
      const atRow = await balanceAt(userId!, microsText(time.micros));
      const justBefore = await balanceAt(userId!, microsText(time.micros - 1n));

      // Then
      expectOk(atRow);
      expect(atRow.json).toEqual({
        user_id: userId,
        at: microsText(time.micros),
        ...expected[index],
        as_of_transaction_id: ids[index],
      });
      expectOk(justBefore);
      expect(justBefore.json.as_of_transaction_id).toBe(index === 0 ? null : ids[index - 1]);
    }
    const before = await balanceAt(userId!, microsText(times[0]!.micros - 1n));
    expect(before.json).toMatchObject({
      balance: 0,
      held: 0,
      available_balance: 0,
      as_of_transaction_id: null,
    });
    // the same instant in another zone, and a finer-than-µs time just after the last row
    const last = times.at(-1)!;
    const offset = await balanceAt(userId!, shiftedZoneText(last.micros));
    expect(offset.json.as_of_transaction_id).toBe(ids[2]);
    const nanos = await balanceAt(userId!, `${microsText(last.micros).slice(0, -1)}999Z`);
    expect(nanos.json.as_of_transaction_id).toBe(ids[2]);
  });

  it('Given a wallet with no rows and a user with no wallet, When their balance is asked, Then zeros and 404 USER_NOT_FOUND', async () => {
    // Given
    const [empty] = await openWalletsDirectly(tx.pool, 1);

    // When
    const zero = await balanceAt(empty!, '2030-01-01T00:00:00Z');
    const missing = await balanceAt(randomUUID(), '2030-01-01T00:00:00Z');
    const missingStatement = await get(
      statementUrl(randomUUID(), '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
    );

    // Then
    expectOk(zero);
    expect(zero.json).toEqual({
      user_id: empty,
      at: '2030-01-01T00:00:00.000Z',
      balance: 0,
      held: 0,
      available_balance: 0,
      as_of_transaction_id: null,
    });
    expectProblem(missing, 404, 'USER_NOT_FOUND');
    expectProblem(missingStatement, 404, 'USER_NOT_FOUND');
  });

  it('Given times that are not RFC 3339, a reversed range and one over 366 days, When asked, Then 400 INVALID_TIME or INVALID_TIME_RANGE', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    const badTimes = [
      '2026-11-01',
      '2026-11-01T00:00:00',
      '2026-02-30T00:00:00Z',
      '2026-11-01T24:00:00Z',
      '2026-11-01T00:00:60Z',
      '2026-11-01T00:00:00+24:00',
      '1 Nov 2026',
      'now',
      '',
      `2026-11-01T00:00:00.${'1'.repeat(60)}Z`,
    ];

    // When / Then
    for (const bad of badTimes) {
      expectProblem(await balanceAt(userId!, bad), 400, 'INVALID_TIME');
      expectProblem(await get(statementUrl(userId!, bad, '2026-12-01T00:00:00Z')), 400, 'INVALID_TIME');
      expectProblem(await get(statementUrl(userId!, '2026-10-01T00:00:00Z', bad)), 400, 'INVALID_TIME');
    }
    expectProblem(await get(`/wallets/${userId}/balance`), 400, 'INVALID_TIME');
    expectProblem(await get(`/wallets/${userId}/statement?from=2026-11-01T00:00:00Z`), 400, 'INVALID_TIME');
    expectProblem(
      await get(statementUrl(userId!, '2026-11-02T00:00:00Z', '2026-11-01T23:59:59.999999Z')),
      400,
      'INVALID_TIME_RANGE',
    );
    expectProblem(
      await get(statementUrl(userId!, '2026-01-01T00:00:00Z', '2027-01-02T00:00:00.000001Z')),
      400,
      'INVALID_TIME_RANGE',
    );
    expectOk(await get(statementUrl(userId!, '2026-01-01T00:00:00Z', '2027-01-02T00:00:00Z')));
    expectOk(await get(statementUrl(userId!, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')));
    expectProblem(
      await get(statementUrl('not-a-uuid', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')),
      400,
      'INVALID_USER_ID',
    );
    expectProblem(
      await get(statementUrl(userId!, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '&cursor=abc')),
      400,
      'INVALID_CURSOR',
    );
    expectProblem(
      await get(statementUrl(userId!, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '&format=xml')),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('Given a reader token and a user token, When they read balances and statements, Then the reader reads any wallet and the user only its own', async () => {
    // Given
    const [stranger] = await openWalletsDirectly(tx.pool, 1);
    const at = '2030-01-01T00:00:00Z';
    const period = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'] as const;

    // When / Then
    for (const userId of [owner, stranger!]) {
      expectOk(await balanceAt(userId, at, bearer(READER_TOKEN)));
      expectOk(await get(statementUrl(userId, ...period), bearer(READER_TOKEN)));
    }
    expectOk(await balanceAt(owner, at, bearer(OWNER_TOKEN)));
    expectOk(await get(statementUrl(owner, ...period), bearer(OWNER_TOKEN)));
    expectOk(await get(statementUrl(owner, ...period, '&format=csv'), bearer(OWNER_TOKEN)));
    expectProblem(await balanceAt(stranger!, at, bearer(OWNER_TOKEN)), 403, 'FORBIDDEN');
    expectProblem(await get(statementUrl(stranger!, ...period), bearer(OWNER_TOKEN)), 403, 'FORBIDDEN');
    expectProblem(
      await get(statementUrl(stranger!, ...period, '&format=csv'), bearer(OWNER_TOKEN)),
      403,
      'FORBIDDEN',
    );
    expectProblem(await balanceAt(owner, at, { authorization: '' }), 401, 'UNAUTHORIZED');
  });

  it('Given a wallet with every kind of row, When a period in the middle is read in pages and as CSV, Then pages tile the rows, totals are by kind, and closing = opening + the rows', async () => {
    // Given: two rows before the period, seven in it, one after
    const [userId, other] = await openWalletsDirectly(tx.pool, 2);
    expectOk(await api.deposit(other!, 100));
    expectOk(await api.deposit(userId!, 50));
    expectOk(await api.transfer(other!, userId!, 5));
    const fromMicros = await databaseNowMicros();
    const deposit = await api.deposit(userId!, '20.25');
    expectOk(await api.withdraw(userId!, '1.25'));
    const transfer = await api.transfer(userId!, other!, '4.00');
    const hold = await api.hold(userId!, other!, 3, 600);
    expectOk(await api.void(hold.json.hold_id));
    expectOk(await api.reverseTransfer(transfer.json.transfer_id, { amount: 1, reason: '=cmd, "quoted"' }));
    expectOk(await api.reverseDeposit(deposit.json.transaction_id, { amount: '0.25' }));
    const toMicros = await databaseNowMicros();
    expectOk(await api.deposit(userId!, 7));
    const [from, to] = [microsText(fromMicros), microsText(toMicros)];

    // When
    const pages = await allPages(statementUrl(userId!, from, to), 3);
    const csv = await get(statementUrl(userId!, from, to, '&format=csv'));
    const accepted = await get(statementUrl(userId!, from, to), { accept: 'text/csv' });

    // Then: three pages with the same heading, rows 3 … 9 of the wallet in order
    expect(pages.map((page) => page.transactions.length)).toEqual([3, 3, 1]);
    const rows = pages.flatMap((page) => page.transactions);
    expect(rows.map((row) => row.seq)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    for (const page of pages) expect(headingOf(page)).toEqual(headingOf(pages[0]!));
    expect(pages[0]).toMatchObject({
      user_id: userId,
      from,
      to,
      opening_balance: 55,
      opening_held: 0,
      closing_balance: 70.75,
      closing_held: 0,
    });
    expect(pages[0]!.totals).toEqual({
      deposit: { count: 1, amount_in: 20.25, amount_out: 0 },
      withdrawal: { count: 1, amount_in: 0, amount_out: 1.25 },
      transfer_out: { count: 1, amount_in: 0, amount_out: 4 },
      transfer_in: { count: 0, amount_in: 0, amount_out: 0 },
      hold: { count: 1, amount_in: 0, amount_out: 0 },
      hold_release: { count: 1, amount_in: 0, amount_out: 0 },
      reversal_out: { count: 0, amount_in: 0, amount_out: 0 },
      reversal_in: { count: 1, amount_in: 1, amount_out: 0 },
      deposit_reversal: { count: 1, amount_in: 0, amount_out: 0.25 },
    });
    expectStatementChains(pages[0]!, rows);
    // the same rows as GET /transactions shows them
    const history = await get(`/transactions?user_id=${userId}&limit=20`);
    const bySeq = new Map((history.json.transactions as TransactionView[]).map((row) => [row.seq, row]));
    for (const row of rows) expect(row).toEqual(bySeq.get(row.seq));
    // the CSV: the same rows, with a header, headers for a reader, reason quoted and defused
    for (const response of [csv, accepted]) {
      expectOk(response);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['x-statement-rows']).toBe('7');
      expect(response.headers['x-statement-opening-balance']).toBe('55.00');
      expect(response.headers['x-statement-closing-balance']).toBe('70.75');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="statement-.+\.csv"$/);
      const lines = response.text.split('\r\n');
      expect(lines[0]).toBe(CSV_HEADER);
      expect(lines.at(-1)).toBe('');
      expect(lines.slice(1, -1)).toEqual(rows.map(csvLineOf));
    }
    expect(csv.text).toContain(`,"'=cmd, ""quoted""",`);
  });

  it('Given a cursor, When it is sent with another period or tampered with, Then 400 INVALID_CURSOR', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    const from = microsText(await databaseNowMicros());
    for (const amount of [1, 2, 3]) expectOk(await api.deposit(userId!, amount));
    const to = microsText(await databaseNowMicros());
    const first = await get(`${statementUrl(userId!, from, to)}&limit=1`);
    const cursor = first.json.next_cursor as string;
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');

    // When / Then
    expectOk(await get(`${statementUrl(userId!, from, to)}&limit=1&cursor=${cursor}`));
    expectProblem(
      await get(
        `${statementUrl(userId!, from, microsText((await databaseNowMicros()) + 86_400_000_000n))}&cursor=${cursor}`,
      ),
      400,
      'INVALID_CURSOR',
    );
    const tampered = Buffer.from(decoded.replace(/\/(\d+)$/, '/99'), 'utf8').toString('base64url');
    expectProblem(await get(`${statementUrl(userId!, from, to)}&cursor=${tampered}`), 400, 'INVALID_CURSOR');
    const otherWallet = (await openWalletsDirectly(tx.pool, 1))[0]!;
    expectProblem(
      await get(`${statementUrl(otherWallet, from, to)}&cursor=${cursor}`),
      400,
      'INVALID_CURSOR',
    );
  });

  it('Given a busy wallet (concurrent transfers, deposits, holds, captures and voids before, during and after the period), When its statement is read while the load runs and after, Then closing = opening + its rows every time, and the rows are exactly the ledger rows of the period', async () => {
    // Given
    const [busy, ...others] = await openWalletsDirectly(tx.pool, 5);
    for (const userId of [busy!, ...others]) expectOk(await api.deposit(userId, 1000));
    let running = true;
    const load = Promise.all(
      Array.from({ length: 6 }, (_, client) => busyClient(busy!, others, client, () => running)),
    );
    await sleep(500);
    const fromMicros = await databaseNowMicros();
    await sleep(1000);
    const toMicros = await databaseNowMicros();
    const [from, to] = [microsText(fromMicros), microsText(toMicros)];

    // When: read while the load goes on (the period is already over, rows after it keep coming)
    const during = await allPages(statementUrl(busy!, from, to), 37);
    const duringCsv = await get(statementUrl(busy!, from, to, '&format=csv'));
    await sleep(300);
    running = false;
    const operations = (await load).reduce((sum, count) => sum + count, 0);
    const after = await allPages(statementUrl(busy!, from, to), 500);

    // Then
    const duringRows = during.flatMap((page) => page.transactions);
    const afterRows = after.flatMap((page) => page.transactions);
    expect(operations).toBeGreaterThan(50);
    expect(duringRows.length).toBeGreaterThan(10);
    for (const [page, rows] of [
      [during[0]!, duringRows],
      [after[0]!, afterRows],
    ] as const) {
      expectStatementChains(page, rows);
      for (const other of [...during, ...after]) expect(headingOf(other)).toEqual(headingOf(page));
    }
    expect(afterRows).toEqual(duringRows);
    expectOk(duringCsv);
    expect(duringCsv.text.split('\r\n').slice(1, -1)).toEqual(duringRows.map(csvLineOf));
    // exactly the ledger's rows stamped in [from, to), and the balances at the two ends agree
    const inPeriod = (await ledgerTimes(busy!)).filter(
      (row) => row.micros >= fromMicros && row.micros < toMicros,
    );
    expect(afterRows.map((row) => row.seq)).toEqual(inPeriod.map((row) => row.seq));
    const opening = await balanceAt(busy!, microsText(fromMicros - 1n));
    const closing = await balanceAt(busy!, microsText(toMicros - 1n));
    expect([opening.json.balance, opening.json.held]).toEqual([
      after[0]!.opening_balance,
      after[0]!.opening_held,
    ]);
    expect([closing.json.balance, closing.json.held]).toEqual([
      after[0]!.closing_balance,
      after[0]!.closing_held,
    ]);
  });

  /** Random money commands touching `busy` until `keepGoing()` is false; returns how many answered 2xx. */
  async function busyClient(
    busy: string,
    others: string[],
    client: number,
    keepGoing: () => boolean,
  ): Promise<number> {
    let done = 0;
    for (let step = 0; keepGoing(); step++) {
      const other = others[(client + step) % others.length]!;
      const responses = await busyStep(busy, other, (client * 7 + step) % 6);
      done += responses.filter((response) => response.status < 300).length;
    }
    return done;
  }

  async function busyStep(busy: string, other: string, choice: number): Promise<HttpResult[]> {
    if (choice === 0) return [await api.transfer(busy, other, '1.11')];
    if (choice === 1) return [await api.transfer(other, busy, '1.07')];
    if (choice === 2) return [await api.deposit(busy, '0.55')];
    if (choice === 3) return [await api.withdraw(busy, '0.31')];
    const hold = await api.hold(busy, other, '2.22', 600);
    if (hold.status !== 201) return [hold];
    const settle = choice === 4 ? api.capture(hold.json.hold_id, '1.01') : api.void(hold.json.hold_id);
    return [hold, await settle];
  }
});

/** closing = opening + Σ changes, seqs contiguous from the opening row, each row chaining on the one before, totals from the rows. */
function expectStatementChains(statement: StatementView, rows: TransactionView[]): void {
  const minor = (value: number) => numericToMinor(value.toFixed(2));
  const sum = (values: number[]) => values.reduce((total, value) => total + minor(value), 0n);
  expect(minor(statement.closing_balance)).toBe(
    minor(statement.opening_balance) + sum(rows.map((row) => row.balance_change)),
  );
  expect(minor(statement.closing_held)).toBe(
    minor(statement.opening_held) + sum(rows.map((row) => row.held_change)),
  );
  let [balance, held] = [statement.opening_balance, statement.opening_held];
  for (const [index, row] of rows.entries()) {
    if (index > 0) expect(row.seq).toBe(rows[index - 1]!.seq + 1);
    expect([row.old_balance, row.old_held]).toEqual([balance, held]);
    [balance, held] = [row.new_balance, row.new_held];
  }
  const count = Object.values(statement.totals).reduce((total, kind) => total + kind.count, 0);
  expect(count).toBe(rows.length);
  for (const [kind, totals] of Object.entries(statement.totals)) {
    const ofKind = rows.filter((row) => row.kind === kind);
    expect(totals.count, kind).toBe(ofKind.length);
    expect(minor(totals.amount_in), kind).toBe(
      sum(ofKind.filter((r) => r.balance_change > 0).map((r) => r.balance_change)),
    );
    expect(-minor(totals.amount_out), kind).toBe(
      sum(ofKind.filter((r) => r.balance_change < 0).map((r) => r.balance_change)),
    );
  }
}

function headingOf(page: StatementView): Omit<StatementView, 'transactions' | 'next_cursor'> {
  const { transactions: _rows, next_cursor: _cursor, ...heading } = page;
  return heading;
}

function csvLineOf(row: TransactionView): string {
  const money = (value: number) => value.toFixed(2);
  const reason = row.reason === null ? '' : row.reason;
  const quoted = /^[=+\-@]/.test(reason) ? `'${reason}` : reason;
  const cell = /[",\r\n]/.test(quoted) ? `"${quoted.replaceAll('"', '""')}"` : quoted;
  return [
    row.id,
    row.user_id,
    row.seq,
    row.kind,
    money(row.balance_change),
    money(row.old_balance),
    money(row.new_balance),
    money(row.held_change),
    money(row.old_held),
    money(row.new_held),
    row.transfer_id ?? '',
    row.counterparty_id ?? '',
    row.hold_id ?? '',
    row.reverses_id ?? '',
    cell,
    row.timestamp,
  ].join(',');
}

/** Microseconds since the epoch as `…T…:…:….ffffffZ`. */
function microsText(micros: bigint): string {
  const millis = micros / 1000n;
  const rest = (micros % 1000n).toString().padStart(3, '0');
  return `${new Date(Number(millis)).toISOString().slice(0, -1)}${rest}Z`;
}

/** The same instant written at UTC+05:30. */
function shiftedZoneText(micros: bigint): string {
  const shifted = microsText(micros + 330n * 60_000_000n);
  return `${shifted.slice(0, -1)}+05:30`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
