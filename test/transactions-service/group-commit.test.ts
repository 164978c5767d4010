import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { AppError } from '../../services/shared/src/errors.ts';
import { addMoney } from '../../services/transactions-service/src/operations/add-money.ts';
import { configureMoneyBatching } from '../../services/transactions-service/src/operations/money-command-batcher.ts';
import { transferMoney } from '../../services/transactions-service/src/operations/transfer-money.ts';
import { withdrawMoney } from '../../services/transactions-service/src/operations/withdraw-money.ts';
import { call, startTestTransactionsService } from '../support/index.ts';
import { auditOverHttp } from './ledger-audit-harness.ts';
import {
  balanceText,
  countRows,
  openWalletsDirectly,
  useTransactionsService,
} from './transactions-service-harness.ts';

/** The id of the transaction that wrote each ledger row of these transfers or deposits. */
async function writingTransactions(pool: pg.Pool, ids: string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ xid: string }>(
    'SELECT xmin::text AS xid FROM transactions WHERE transfer_id = ANY($1::uuid[]) OR id = ANY($1::uuid[])',
    [ids],
  );
  return new Set(rows.map((row) => row.xid));
}

describe('group commit', () => {
  const tx = useTransactionsService('tx_group_commit');
  /** A pool of its own, batching one transaction at a time, so what queues behind it is known. */
  let serial: pg.Pool;
  const committedSizes: number[] = [];

  beforeAll(() => {
    serial = new pg.Pool({ connectionString: tx.database.url, max: 2 });
    configureMoneyBatching(serial, {
      concurrency: 1,
      maxSize: 64,
      onBatch: (size) => committedSizes.push(size),
    });
  });
  afterAll(async () => {
    await serial?.end();
  });

  const transfer = (from: string, to: string, amountMinor: bigint, idempotencyKey?: string) =>
    transferMoney(serial, tx.namespace, {
      fromUserId: from,
      toUserId: to,
      amountMinor,
      idempotencyKey,
      requestId: randomUUID(),
    });

  it('Given one slot busy, When five more transfers arrive, Then they commit together in one transaction, each with its own result', async () => {
    // Given
    const [alice, bob, carol] = await openWalletsDirectly(tx.pool, 3);
    await addMoney(tx.pool, tx.namespace, {
      userId: alice!,
      amountMinor: 10_000n,
      idempotencyKey: undefined,
      requestId: randomUUID(),
    });
    committedSizes.length = 0;

    // When: the first runs alone at once; the other five queue behind it.
    const outcomes = await Promise.all([
      transfer(alice!, bob!, 100n),
      transfer(alice!, bob!, 200n),
      transfer(bob!, carol!, 50n),
      transfer(alice!, carol!, 300n),
      transfer(carol!, alice!, 25n),
      transfer(alice!, bob!, 400n),
    ]);

    // Then
    expect(committedSizes).toEqual([1, 5]);
    const transferIds = outcomes.map((outcome) => outcome.body.transfer_id);
    const [first, ...batched] = transferIds;
    const batchedTransactions = await writingTransactions(tx.pool, batched);
    expect(batchedTransactions.size).toBe(1);
    expect(batchedTransactions).not.toContain([...(await writingTransactions(tx.pool, [first!]))][0]);
    // Each command saw the balances the ones before it left, in arrival order.
    expect(outcomes.map((outcome) => outcome.body.from_balance)).toEqual([99, 97, 2.5, 94, 3.25, 90.25]);
    expect(await balanceText(tx.pool, alice!)).toBe('90.25');
    expect(await balanceText(tx.pool, bob!)).toBe('6.50');
    expect(await balanceText(tx.pool, carol!)).toBe('3.25');
  });

  it('Given a batch with a refusal, a replayed key and a reused key, Then each gets its own answer and the others commit', async () => {
    // Given: two keys whose transfers committed before
    const [alice, bob] = await openWalletsDirectly(tx.pool, 2);
    await addMoney(tx.pool, tx.namespace, {
      userId: alice!,
      amountMinor: 1_000n,
      idempotencyKey: undefined,
      requestId: randomUUID(),
    });
    const [replayedKey, reusedKey] = [`group-${randomUUID()}`, `group-${randomUUID()}`];
    const original = await transfer(alice!, bob!, 100n, replayedKey);
    await transfer(alice!, bob!, 100n, reusedKey);
    // The batcher frees its slot just after answering: let it, so the burst below finds it free.
    await new Promise(setImmediate);
    committedSizes.length = 0;

    // When: the first runs alone; the four behind it form one batch.
    const settled = await Promise.allSettled([
      transfer(alice!, bob!, 100n),
      transfer(alice!, bob!, 100n, `group-${randomUUID()}`),
      transfer(alice!, bob!, 5_000n),
      transfer(alice!, bob!, 100n, replayedKey),
      transfer(alice!, bob!, 200n, reusedKey),
    ]);

    // Then
    expect(committedSizes).toEqual([1, 4]);
    const [, paid, refused, replayed, reused] = settled;
    expect(paid).toMatchObject({
      status: 'fulfilled',
      value: { replayed: false, body: { from_balance: 6 } },
    });
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'INSUFFICIENT_FUNDS' } });
    expect(replayed).toMatchObject({ status: 'fulfilled', value: { replayed: true, body: original.body } });
    expect(reused).toMatchObject({ status: 'rejected', reason: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect((reused as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    expect(await balanceText(tx.pool, alice!)).toBe('6.00');
    expect(await balanceText(tx.pool, bob!)).toBe('4.00');
    expect(await countRows(tx.pool, 'SELECT count(*) FROM transactions WHERE user_id = $1', [alice])).toBe(5);
  });

  it('Given one key sent twice and a withdrawal queued among transfers, Then the repeat and the withdrawal go in later batches and the repeat replays', async () => {
    // Given
    const [alice, bob] = await openWalletsDirectly(tx.pool, 2);
    await addMoney(tx.pool, tx.namespace, {
      userId: alice!,
      amountMinor: 1_000n,
      idempotencyKey: undefined,
      requestId: randomUUID(),
    });
    const key = `group-${randomUUID()}`;
    committedSizes.length = 0;

    // When
    const [, first, withdrawn, repeat, last] = await Promise.all([
      transfer(alice!, bob!, 100n),
      transfer(alice!, bob!, 100n, key),
      withdrawMoney(serial, tx.namespace, {
        userId: bob!,
        amountMinor: 50n,
        idempotencyKey: undefined,
        requestId: randomUUID(),
      }),
      transfer(alice!, bob!, 100n, key),
      transfer(alice!, bob!, 100n),
    ]);

    // Then: [alone], [first, last], [repeat], [withdrawal]
    expect(committedSizes).toEqual([1, 2, 1, 1]);
    expect(first.replayed).toBe(false);
    expect(repeat).toEqual({ ...first, replayed: true });
    expect(last.body.from_balance).toBe(7);
    expect(withdrawn.body.updated_balance).toBe(2.5);
    expect(await balanceText(tx.pool, alice!)).toBe('7.00');
    expect(await balanceText(tx.pool, bob!)).toBe('2.50');
  });

  it('Given a batch in which one command fails in the database, Then the batch is undone and each command runs alone', async () => {
    // Given: a constraint of this test's own that one wallet's deposit will break (an error, not
    // a refusal: the functions check nothing like it).
    const [capped, other] = await openWalletsDirectly(tx.pool, 2);
    await tx.pool.query(
      `ALTER TABLE users ADD CONSTRAINT group_commit_test_cap CHECK (user_id <> '${capped}' OR balance < 5)`,
    );
    const deposit = (userId: string, amountMinor: bigint) =>
      addMoney(serial, tx.namespace, {
        userId,
        amountMinor,
        idempotencyKey: undefined,
        requestId: randomUUID(),
      });
    committedSizes.length = 0;

    // When: the first runs alone; the three behind it form one batch, which fails.
    const settled = await Promise.allSettled([
      deposit(other!, 1n),
      deposit(other!, 100n),
      deposit(capped!, 1_000n),
      deposit(other!, 200n),
    ]);

    // Then
    expect(settled.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
      constraint: 'group_commit_test_cap',
    });
    expect(await balanceText(tx.pool, other!)).toBe('3.01');
    expect(await balanceText(tx.pool, capped!)).toBe('0.00');
    expect(await countRows(tx.pool, 'SELECT count(*) FROM transactions WHERE user_id = $1', [capped])).toBe(
      0,
    );
    expect(committedSizes).toEqual([1, 1, 1]);
    await tx.pool.query('ALTER TABLE users DROP CONSTRAINT group_commit_test_cap');
  });

  it('Given deposits queued behind a busy slot, When they commit together, Then each answers with its own balance and the ledger chains', async () => {
    // Given
    const [alice, bob] = await openWalletsDirectly(tx.pool, 2);
    const deposit = (userId: string, amountMinor: bigint, idempotencyKey?: string) =>
      addMoney(serial, tx.namespace, { userId, amountMinor, idempotencyKey, requestId: randomUUID() });
    await tx.pool.query("UPDATE users SET status = 'closed' WHERE user_id = $1", [bob]);
    committedSizes.length = 0;

    // When
    const settled = await Promise.allSettled([
      deposit(alice!, 100n),
      deposit(alice!, 250n, `group-${randomUUID()}`),
      deposit(bob!, 100n),
      deposit(alice!, 5n),
      deposit(randomUUID(), 5n),
    ]);

    // Then
    expect(committedSizes).toEqual([1, 4]);
    expect(
      settled.map((result) =>
        result.status === 'fulfilled' ? result.value.body.updated_balance : result.reason.code,
      ),
    ).toEqual([1, 3.5, 'WALLET_CLOSED', 3.55, 'USER_NOT_FOUND']);
    expect(await balanceText(tx.pool, alice!)).toBe('3.55');
    expect(await countRows(tx.pool, 'SELECT count(*) FROM transactions WHERE user_id = $1', [alice])).toBe(3);
  });

  it('Given many clients over HTTP, When transfers arrive together, Then several share a transaction and no money is made or lost', async () => {
    // Given: a replica of its own that commits one batch at a time, so a burst must queue
    const replica = await startTestTransactionsService(tx.database.url, tx.namespace, {
      MONEY_BATCH_CONCURRENCY: '1',
    });
    onTestFinished(() => replica.stop());
    const userIds = await openWalletsDirectly(tx.pool, 8);
    for (const userId of userIds) {
      await call(replica.url, 'POST', '/addMoney', { json: { user_id: userId, amount: '100.00' } });
    }

    // When
    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, index) =>
        call(replica.url, 'POST', '/transferMoney', {
          json: {
            from_user_id: userIds[index % 8],
            to_user_id: userIds[(index * 3 + 1) % 8],
            amount: `${1 + (index % 7)}.25`,
          },
        }),
      ),
    );

    // Then
    const transferIds = responses
      .filter((response) => response.status === 200)
      .map((response) => response.json.transfer_id as string);
    expect(transferIds.length).toBeGreaterThan(0);
    const refusals = responses.filter((response) => response.status !== 200);
    expect(refusals.map((response) => response.json.code)).toEqual(refusals.map(() => 'INSUFFICIENT_FUNDS'));
    expect((await writingTransactions(tx.pool, transferIds)).size).toBeLessThan(transferIds.length);
    const { rows } = await tx.pool.query<{ total: string }>(
      'SELECT sum(balance)::text AS total FROM users WHERE user_id = ANY($1::uuid[])',
      [userIds],
    );
    expect(rows[0]!.total).toBe('800.00');
    // Rows written set-based chain and hash exactly as rows written one by one.
    expect((await auditOverHttp(replica.url)).findings).toEqual([]);
  });
});
