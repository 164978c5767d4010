import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LedgerCheckpointEvent,
  ledgerCheckpointEventSchema,
  TOPICS,
  topicName,
} from '../../services/shared/src/contracts/events.ts';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import {
  collectTopic,
  createTestDatabase,
  startTestTransactionsService,
  type TestDatabase,
  uniqueNamespace,
  waitFor,
} from '../support/index.ts';
import { expectOk, moneyClient } from './money-operations-harness.ts';
import {
  openPool,
  openWalletsDirectly,
  type TransactionsServiceFixture,
} from './transactions-service-harness.ts';

const ZERO_HASH = '0'.repeat(64);

/** docs/ledger-audit.md's canonical form, written here from the document, not from our SQL. */
function rowHash(prev: string, row: Record<string, string | null>): string {
  const lines = [
    'wallet-ledger-v1',
    prev,
    row.user_id,
    row.seq,
    row.id,
    row.kind,
    row.balance_change,
    row.old_balance,
    row.new_balance,
    row.held_change,
    row.old_held,
    row.new_held,
    row.transfer_id ?? '',
    row.counterparty_id ?? '',
    row.hold_id ?? '',
    row.reverses_id ?? '',
    row.reason === null ? '' : Buffer.from(row.reason ?? '', 'utf8').toString('hex'),
    row.timestamp,
  ];
  return createHash('sha256')
    .update(lines.map((line) => `${line}\n`).join(''))
    .digest('hex');
}

/**
 * Folds checkpoint records in checkpoint order, each part once (delivery is at least once, so a
 * record can come again later); every complete checkpoint's root must recompute from the fold.
 */
function foldCheckpoints(records: unknown[]) {
  const parts = new Map<string, LedgerCheckpointEvent>();
  for (const record of records) {
    const part = ledgerCheckpointEventSchema.parse(record);
    parts.set(`${part.checkpoint_id}/${part.part}`, part);
  }
  const pinned = new Map<string, { seq: number; hash: string }>();
  let last: LedgerCheckpointEvent | undefined;
  for (const part of [...parts.values()].toSorted(
    (a, b) => a.checkpoint_id - b.checkpoint_id || a.part - b.part,
  )) {
    for (const wallet of part.wallets) pinned.set(wallet.user_id, { seq: wallet.seq, hash: wallet.hash });
    if (part.part !== part.parts) continue;
    const root = createHash('sha256')
      .update(
        [...pinned]
          .toSorted(([a], [b]) => (a < b ? -1 : 1))
          .map(([userId, pin]) => `${userId} ${pin.seq} ${pin.hash}\n`)
          .join(''),
      )
      .digest('hex');
    expect(root, `checkpoint ${part.checkpoint_id}`).toBe(part.root_hash);
    expect(pinned.size).toBe(part.wallet_count);
    last = part;
  }
  return { pinned, last };
}

describe('ledger hash chain and checkpoints', () => {
  const tx = { namespace: `${uniqueNamespace()}.` } as TransactionsServiceFixture;
  const api = moneyClient(tx);
  let database: TestDatabase;
  let service: RunningTransactionsService;

  beforeAll(async () => {
    database = await createTestDatabase('tx_checkpoints');
    service = await startTestTransactionsService(database.url, tx.namespace, {
      LEDGER_CHECKPOINT_INTERVAL_MS: '300',
    });
    Object.assign(tx, { database, service, pool: openPool(database.url) });
  });
  afterAll(async () => {
    await tx.pool?.end();
    await service?.stop();
    await database?.drop();
  });

  it('Given every kind of row, When an outsider recomputes the chains from the documented form, Then every hash and every checkpoint root matches', async () => {
    // Given
    const checkpoints = await collectTopic(topicName(tx.namespace, TOPICS.ledgerCheckpoints));
    const [alice, bob] = await openWalletsDirectly(tx.pool, 2);
    const deposit = await api.deposit(alice!, '100.10');
    const transfer = await api.transfer(alice!, bob!, 20);
    const hold = await api.hold(alice!, bob!, 5);
    expectOk(await api.capture(hold.json.hold_id, 2));
    expectOk(await api.reverseTransfer(transfer.json.transfer_id, { amount: 1, reason: 'line\nbreak | ü' }));
    expectOk(await api.reverseDeposit(deposit.json.transaction_id, { amount: 3 }));
    expectOk(await api.withdraw(bob!, 1));

    // Then: every chain recomputes to the wallet's latest hash
    const { rows } = await tx.pool.query<Record<string, string | null>>(
      `SELECT user_id::text, wallet_seq::text AS seq, id::text, kind, balance_change::text,
              old_balance::text, new_balance::text, held_change::text, old_held::text, new_held::text,
              transfer_id::text, counterparty_id::text, hold_id::text, reverses_id::text, reason,
              to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS timestamp, hash
         FROM transactions ORDER BY user_id, wallet_seq`,
    );
    const latest = new Map<string, { seq: string; hash: string }>();
    for (const row of rows) {
      const prev = latest.get(row.user_id!)?.hash ?? ZERO_HASH;
      expect(rowHash(prev, row), `${row.kind} ${row.seq}`).toBe(row.hash);
      latest.set(row.user_id!, { seq: row.seq!, hash: row.hash! });
    }
    const wallets = await tx.pool.query<{ user_id: string; seq: string; hash: string }>(
      'SELECT user_id::text, ledger_seq::text AS seq, ledger_hash AS hash FROM users ORDER BY user_id',
    );
    for (const wallet of wallets.rows)
      expect(latest.get(wallet.user_id)).toEqual({ seq: wallet.seq, hash: wallet.hash });

    // …and folding the checkpoints in order reaches that state, each root recomputing from its fold
    const settled = await waitFor('the checkpoints to pin the latest state', () => {
      const fold = foldCheckpoints(checkpoints.events.map((record) => JSON.parse(record.value ?? '')));
      const caughtUp = [...latest].every(([userId, last]) => fold.pinned.get(userId)?.hash === last.hash);
      return caughtUp ? fold : undefined;
    });
    for (const [userId, pin] of settled.pinned) {
      const row = rows.find((candidate) => candidate.user_id === userId && candidate.seq === String(pin.seq));
      expect(row?.hash).toBe(pin.hash);
    }

    // When one wallet changes, Then the next checkpoint names only that wallet, with a new root
    expectOk(await api.deposit(bob!, 1));
    const next = await waitFor('the next checkpoint', () => {
      const fold = foldCheckpoints(checkpoints.events.map((record) => JSON.parse(record.value ?? '')));
      return fold.last && fold.last.checkpoint_id > settled.last!.checkpoint_id ? fold.last : undefined;
    });
    expect(next.wallets.map((wallet) => wallet.user_id)).toEqual([bob]);
    expect(next.wallet_count).toBe(2);
    expect(next.root_hash).not.toBe(settled.last!.root_hash);
    await checkpoints.stop();
  });

  it('Given ledger rows, When SQL tries to change or delete one, Then the database refuses', async () => {
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    expectOk(await api.deposit(userId!, 5));
    await expect(
      tx.pool.query("UPDATE transactions SET balance_change = '500.00' WHERE user_id = $1", [userId]),
    ).rejects.toThrow(/never changed or deleted/);
    await expect(tx.pool.query('DELETE FROM transactions WHERE user_id = $1', [userId])).rejects.toThrow(
      /never changed or deleted/,
    );
  });
});
