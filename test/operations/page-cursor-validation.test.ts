import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  createTestDatabase,
  startTestTransactionsService,
  startTestUserService,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';
import { openPool } from '../transactions-service/transactions-service-harness.ts';

const READER_TOKEN = 'cursor-reader-token-3f8a61d0c2';
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in microseconds since the Unix epoch. */
const YEAR_0001_MICROS = -62_135_596_800_000_000n;
const YEAR_9999_END_MICROS = 253_402_300_799_999_999n;
const STATEMENT_PERIOD = 'from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z';
const STATEMENT_PERIOD_MICROS = '1767225600000000/1769817600000000';

const asCursor = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const userCursor = (createdAt: unknown, userId: unknown = ZERO_UUID) =>
  asCursor(JSON.stringify([createdAt, userId]));
const asReader = { headers: { authorization: `Bearer ${READER_TOKEN}` } };

/**
 * Cursors are opaque, but anyone can decode and re-encode one: each listing must refuse a forged
 * cursor it would never have produced (400 INVALID_CURSOR) before the value reaches SQL, where an
 * out-of-range number or date is a database error (issue 14, item 4).
 */
describe('page cursors crafted by a client (issue 14 item 4)', () => {
  let usersDatabase: TestDatabase;
  let transactionsDatabase: TestDatabase;
  let users: RunningUserService;
  let transactions: RunningTransactionsService;
  let pool: pg.Pool;
  const walletId = randomUUID();

  beforeAll(async () => {
    // Given both services with a reader token, and one wallet with a little history
    [usersDatabase, transactionsDatabase] = await Promise.all([
      createTestDatabase('cursor_users'),
      createTestDatabase('cursor_tx'),
    ]);
    const namespace = `${uniqueNamespace()}.`;
    const overrides = { WALLET_READER_TOKEN: READER_TOKEN };
    [users, transactions] = await Promise.all([
      startTestUserService(usersDatabase.url, namespace, overrides),
      startTestTransactionsService(transactionsDatabase.url, namespace, overrides),
    ]);
    pool = openPool(transactionsDatabase.url);
    await pool.query('INSERT INTO users (user_id) VALUES ($1::uuid)', [walletId]);
    const deposit = await call(transactions.url, 'POST', '/addMoney', {
      json: { user_id: walletId, amount: '10.00' },
    });
    expect(deposit.status).toBe(200);
  });

  afterAll(async () => {
    await Promise.allSettled([users?.stop(), transactions?.stop()]);
    await pool?.end();
    await Promise.allSettled([usersDatabase?.drop(), transactionsDatabase?.drop()]);
  });

  it.each([
    ['the largest bigint of microseconds', `w9223372036854775807/${ZERO_UUID}`],
    ['the smallest bigint of microseconds', `w-9223372036854775807/${ZERO_UUID}`],
    ['PostgreSQL’s first timestamp, 4714 BC', `w-210866803200000000/${ZERO_UUID}`],
    ['a microsecond before the year 0001', `w${YEAR_0001_MICROS - 1n}/${ZERO_UUID}`],
    ['a microsecond after the year 9999', `w${YEAR_9999_END_MICROS + 1n}/${ZERO_UUID}`],
    ['a minus zero', `w-0/${ZERO_UUID}`],
    ['an upper-case uuid', `w0/${ZERO_UUID.replaceAll('0', 'F')}`],
    ['a missing user id', 'w0/'],
    ['a history cursor', 's1'],
  ])(
    'Given a wallet cursor with %s, When a reader lists wallets, Then 400 INVALID_CURSOR',
    async (_label, text) => {
      const page = await call(transactions.url, 'GET', `/wallets?cursor=${asCursor(text)}`, asReader);
      expect(page.status, page.text).toBe(400);
      expect(page.json.code).toBe('INVALID_CURSOR');
    },
  );

  it.each([
    ['the first instant of the year 0001', `w${YEAR_0001_MICROS}/${ZERO_UUID}`],
    ['the Unix epoch', `w0/${ZERO_UUID}`],
    ['the last instant of the year 9999', `w${YEAR_9999_END_MICROS}/${ZERO_UUID}`],
  ])(
    'Given a wallet cursor at %s, When a reader lists wallets, Then 200 and the page after it',
    async (_label, text) => {
      const page = await call(transactions.url, 'GET', `/wallets?cursor=${asCursor(text)}`, asReader);
      expect(page.status, page.text).toBe(200);
      expect(Array.isArray(page.json.wallets)).toBe(true);
    },
  );

  it.each([
    ['the year 0000, which PostgreSQL has not', userCursor('0000-01-01T00:00:00.000000Z')],
    ['February 29 of a year that has none', userCursor('2025-02-29T00:00:00.000000Z')],
    ['hour 24', userCursor('2026-01-01T24:00:00.000000Z')],
    ['second 60', userCursor('2026-01-01T23:59:60.000000Z')],
    ['a year of five digits', userCursor('10000-01-01T00:00:00.000000Z')],
    ['a time without microseconds', userCursor('2026-01-01T00:00:00Z')],
    ['a number for the time', userCursor(1_767_225_600_000)],
    ['an upper-case uuid', userCursor('2026-01-01T00:00:00.000000Z', ZERO_UUID.replaceAll('0', 'F'))],
    ['a third element', asCursor(JSON.stringify(['2026-01-01T00:00:00.000000Z', ZERO_UUID, 1]))],
    ['an object', asCursor(JSON.stringify({ createdAt: '2026-01-01T00:00:00.000000Z', userId: ZERO_UUID }))],
  ])(
    'Given a users cursor with %s, When a reader lists users, Then 400 INVALID_CURSOR',
    async (_label, cursor) => {
      const page = await call(users.url, 'GET', `/users?cursor=${cursor}`, asReader);
      expect(page.status, page.text).toBe(400);
      expect(page.json.code).toBe('INVALID_CURSOR');
    },
  );

  it.each([
    ['the first instant of the year 0001', userCursor('0001-01-01T00:00:00.000000Z')],
    ['the last instant of the year 9999', userCursor('9999-12-31T23:59:59.999999Z')],
    ['February 29 of a leap year', userCursor('2024-02-29T12:00:00.000001Z')],
  ])('Given a users cursor at %s, When a reader lists users, Then 200', async (_label, cursor) => {
    const page = await call(users.url, 'GET', `/users?cursor=${cursor}`, asReader);
    expect(page.status, page.text).toBe(200);
    expect(Array.isArray(page.json.users)).toBe(true);
  });

  it.each([
    ['a sequence past the largest bigint', 's9223372036854775808'],
    ['sequence 0', 's0'],
    ['a negative sequence', 's-1'],
    ['a leading zero', 's01'],
    ['a wallet cursor', `w0/${ZERO_UUID}`],
  ])(
    'Given a history cursor with %s, When a reader lists transactions and holds, Then 400 INVALID_CURSOR',
    async (_label, text) => {
      for (const path of ['/transactions', '/holds']) {
        const page = await call(
          transactions.url,
          'GET',
          `${path}?user_id=${walletId}&cursor=${asCursor(text)}`,
          asReader,
        );
        expect(page.status, `${path}: ${page.text}`).toBe(400);
        expect(page.json.code).toBe('INVALID_CURSOR');
      }
    },
  );

  it('Given a history cursor at the largest bigint, When a reader lists transactions and holds, Then 200 and the whole history', async () => {
    for (const path of ['/transactions', '/holds']) {
      const page = await call(
        transactions.url,
        'GET',
        `${path}?user_id=${walletId}&cursor=${asCursor('s9223372036854775807')}`,
        asReader,
      );
      expect(page.status, `${path}: ${page.text}`).toBe(200);
    }
  });

  it.each([
    ['a closing sequence past the largest bigint', `p${STATEMENT_PERIOD_MICROS}/0/9223372036854775808/0`],
    [
      'the largest bigint for every sequence',
      `p${STATEMENT_PERIOD_MICROS}/9223372036854775807/9223372036854775807/9223372036854775807`,
    ],
    ['sequences out of order', `p${STATEMENT_PERIOD_MICROS}/5/3/4`],
    ['a sequence that does not exist', `p${STATEMENT_PERIOD_MICROS}/0/9223372036854775807/0`],
    ['another period', `p0/1/0/2/1`],
    ['a number past the largest bigint as its period', `p99999999999999999999/1/0/2/1`],
  ])(
    'Given a statement cursor with %s, When a reader reads the statement, Then 400 INVALID_CURSOR',
    async (_label, text) => {
      const page = await call(
        transactions.url,
        'GET',
        `/wallets/${walletId}/statement?${STATEMENT_PERIOD}&cursor=${asCursor(text)}`,
        asReader,
      );
      expect(page.status, page.text).toBe(400);
      expect(page.json.code).toBe('INVALID_CURSOR');
    },
  );
});
