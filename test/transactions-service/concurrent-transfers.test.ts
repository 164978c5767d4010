import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import {
  call,
  createTestDatabase,
  type HttpResult,
  startTestTransactionsService,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';
import { countRows, openPool, openWalletsDirectly } from './transactions-service-harness.ts';

const USER_COUNT = 6;
const STARTING_BALANCE_MINOR = 10_000n; // 100.00 each
const RANDOM_TRANSFER_COUNT = 240;
const MIRRORED_PAIR_COUNT = 30; // A→B and B→A sent at the same moment
const IMPOSSIBLE_TRANSFER_COUNT = 10; // larger than all the money there is
const TRANSFER_AMOUNT_MAX_MINOR = 6_000;
const RANDOM_SEED = 20_240_611;

/** Small deterministic generator, so a failing run can be repeated exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function centsText(minor: number | bigint): string {
  const value = BigInt(minor);
  return `${value / 100n}.${(value % 100n).toString().padStart(2, '0')}`;
}

type Transfer = { from: string; to: string; amount: string };

function planTransfers(userIds: string[]): Transfer[] {
  const random = seededRandom(RANDOM_SEED);
  const pick = () => userIds[Math.floor(random() * userIds.length)]!;
  const amount = () => centsText(1 + Math.floor(random() * TRANSFER_AMOUNT_MAX_MINOR));
  const transfers: Transfer[] = [];
  for (let i = 0; i < RANDOM_TRANSFER_COUNT; i++) {
    const from = pick();
    let to = pick();
    while (to === from) to = pick();
    transfers.push({ from, to, amount: amount() });
  }
  for (let i = 0; i < MIRRORED_PAIR_COUNT; i++) {
    const [a, b] = [userIds[i % 2]!, userIds[2 + (i % 3)]!];
    transfers.push({ from: a, to: b, amount: amount() }, { from: b, to: a, amount: amount() });
  }
  const everything = STARTING_BALANCE_MINOR * BigInt(USER_COUNT) + 1n;
  for (let i = 0; i < IMPOSSIBLE_TRANSFER_COUNT; i++) {
    transfers.push({
      from: userIds[i % USER_COUNT]!,
      to: userIds[(i + 1) % USER_COUNT]!,
      amount: centsText(everything),
    });
  }
  // Shuffle so the impossible and mirrored ones interleave with the rest.
  for (let i = transfers.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [transfers[i], transfers[j]] = [transfers[j]!, transfers[i]!];
  }
  return transfers;
}

describe('concurrent transfers over two replicas', () => {
  let database: TestDatabase;
  let replicas: RunningTransactionsService[] = [];
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('tx_concurrency');
    const namespace = `${uniqueNamespace()}.`;
    // Started together: both run the migrations under the advisory lock.
    replicas = await Promise.all([
      startTestTransactionsService(database.url, namespace),
      startTestTransactionsService(database.url, namespace),
    ]);
    pool = openPool(database.url);
  });

  afterAll(async () => {
    await pool?.end();
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  });

  it('Given six funded wallets, When hundreds of transfers race across both replicas, Then money is conserved and every history chains', async () => {
    // Given
    const userIds = await openWalletsDirectly(pool, USER_COUNT);
    for (const userId of userIds) {
      const funded = await call(replicas[0]!.url, 'POST', '/addMoney', {
        json: { user_id: userId, amount: centsText(STARTING_BALANCE_MINOR) },
      });
      expect(funded.status).toBe(200);
    }
    const transfers = planTransfers(userIds);

    // When: all sent at once, alternating replicas
    const responses: HttpResult[] = await Promise.all(
      transfers.map((transfer, index) =>
        call(replicas[index % replicas.length]!.url, 'POST', '/transferMoney', {
          json: { from_user_id: transfer.from, to_user_id: transfer.to, amount: transfer.amount },
        }),
      ),
    );

    // Then: only success or a clean insufficient-funds refusal
    const outcomes = responses.map((response) =>
      response.status === 200 ? 'ok' : `${response.status} ${response.json?.code}`,
    );
    const unexpected = outcomes.filter((outcome) => outcome !== 'ok' && outcome !== '422 INSUFFICIENT_FUNDS');
    expect(unexpected).toEqual([]);
    const succeeded = outcomes.filter((outcome) => outcome === 'ok').length;
    expect(succeeded).toBeGreaterThan(transfers.length / 2);
    expect(transfers.length - succeeded).toBeGreaterThanOrEqual(IMPOSSIBLE_TRANSFER_COUNT);

    // Then: the total is what was deposited, and no balance is negative
    const { rows: balances } = await pool.query<{ user_id: string; balance: string }>(
      'SELECT user_id::text, balance::text FROM users',
    );
    const totalMinor = balances.reduce((sum, row) => sum + BigInt(row.balance.replace('.', '')), 0n);
    expect(totalMinor).toBe(STARTING_BALANCE_MINOR * BigInt(USER_COUNT));
    expect(balances.filter((row) => row.balance.startsWith('-'))).toEqual([]);

    // Then: exactly two legs per successful transfer, summing to zero, and one event each
    expect(await countRows(pool, "SELECT count(*) FROM transactions WHERE kind <> 'deposit'")).toBe(
      2 * succeeded,
    );
    expect(
      await countRows(
        pool,
        `SELECT count(*) FROM (SELECT transfer_id FROM transactions WHERE transfer_id IS NOT NULL
           GROUP BY transfer_id HAVING count(*) <> 2 OR sum(balance_change) <> 0) AS broken`,
      ),
    ).toBe(0);
    expect(
      await countRows(pool, "SELECT count(*) FROM outbox WHERE headers->>'event-type' = 'money-transferred'"),
    ).toBe(succeeded);

    // Then: each user's rows chain from 0 to the balance, in seq order
    for (const { user_id: userId, balance } of balances) {
      const { rows } = await pool.query<{ old_balance: string; new_balance: string }>(
        'SELECT old_balance::text, new_balance::text FROM transactions WHERE user_id = $1 ORDER BY seq',
        [userId],
      );
      let previous = '0.00';
      for (const row of rows) {
        expect(row.old_balance, `chain of ${userId}`).toBe(previous);
        previous = row.new_balance;
      }
      expect(previous, `last new_balance of ${userId}`).toBe(balance);
    }
  });
});
