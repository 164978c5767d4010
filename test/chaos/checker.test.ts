import { describe, expect, it } from 'vitest';
import { checkHistory } from './checker.ts';
import type {
  EventWallet,
  History,
  HoldRow,
  KafkaRecord,
  LedgerRow,
  Operation,
  ViolationKind,
  WalletRow,
} from './history.ts';

// Two wallets, a few movements, every outcome kind once. Hand-made, so each mutation below
// breaks exactly one promise and the test shows the checker notices.
const alice = '00000000-0000-4000-8000-00000000000a';
const bob = '00000000-0000-4000-8000-00000000000b';
const carol = '00000000-0000-4000-8000-00000000000c';
const transferId = '00000000-0000-4000-8000-0000000000f1';

function operation(fields: Partial<Operation> & Pick<Operation, 'id' | 'kind' | 'outcome'>): Operation {
  const status = fields.outcome === 'ok' ? 200 : fields.outcome === 'fail' ? 422 : undefined;
  return {
    client: 0,
    invokedAtMs: fields.id * 100,
    completedAtMs: fields.id * 100 + 10,
    attempts: [{ startedAtMs: fields.id * 100, endedAtMs: fields.id * 100 + 10, status }],
    ...fields,
  };
}

function row(fields: Partial<LedgerRow> & Pick<LedgerRow, 'seq' | 'userId' | 'kind'>): LedgerRow {
  const oldBalanceMinor = fields.oldBalanceMinor ?? 0n;
  const balanceChangeMinor = fields.balanceChangeMinor ?? 0n;
  const oldHeldMinor = fields.oldHeldMinor ?? 0n;
  const heldChangeMinor = fields.heldChangeMinor ?? 0n;
  return {
    id: `${fields.kind}-${fields.userId.slice(-1)}-${fields.seq}`,
    transferId: null,
    holdId: null,
    reversesId: null,
    idempotencyKey: null,
    atMs: 1_000,
    oldBalanceMinor,
    balanceChangeMinor,
    newBalanceMinor: oldBalanceMinor + balanceChangeMinor,
    oldHeldMinor,
    heldChangeMinor,
    newHeldMinor: oldHeldMinor + heldChangeMinor,
    ...fields,
  };
}

/**
 * Appends the wallet's next ledger row (next seq, chained from its last row unless the old values
 * are given) and moves the wallet to the row's new balance, held and seq.
 */
function appendRow(
  history: History,
  fields: Partial<LedgerRow> & Pick<LedgerRow, 'userId' | 'kind'>,
): LedgerRow {
  const wallet = history.snapshot.wallets.find((candidate) => candidate.userId === fields.userId);
  if (!wallet) throw new Error(`no wallet ${fields.userId}`);
  const appended = row({
    seq: wallet.seq + 1n,
    oldBalanceMinor: wallet.balanceMinor,
    oldHeldMinor: wallet.heldMinor,
    ...fields,
  });
  history.snapshot.transactions.push(appended);
  announce(history, appended);
  wallet.balanceMinor = appended.newBalanceMinor;
  wallet.heldMinor = appended.newHeldMinor;
  wallet.seq = appended.seq;
  return appended;
}

/** The money event of a row: one per row here (a real capture's event names both wallets). */
function announce(history: History, appended: LedgerRow): void {
  const eventId = `event-${appended.id}`;
  const wallets: EventWallet[] = [
    {
      userId: appended.userId,
      seq: appended.seq,
      balanceMinor: appended.newBalanceMinor,
      heldMinor: appended.newHeldMinor,
      availableMinor: appended.newBalanceMinor - appended.newHeldMinor,
    },
  ];
  history.snapshot.outbox.push({
    service: 'transactions',
    eventId,
    topic: appended.kind,
    publishedAt: 't',
    wallets,
  });
  (history.kafkaEventIds as Set<string>).add(eventId);
  const records = history.kafkaRecords as KafkaRecord[];
  records.push({ topic: appended.kind, partition: 0, offset: String(records.length), eventId, wallets });
}

const holdCaptured = '00000000-0000-4000-8000-0000000000a1';
const holdVoided = '00000000-0000-4000-8000-0000000000a2';
const holdExpired = '00000000-0000-4000-8000-0000000000a3';
const holdPending = '00000000-0000-4000-8000-0000000000a4';
const captureTransferId = '00000000-0000-4000-8000-0000000000f2';
const reversalId = '00000000-0000-4000-8000-0000000000f3';
/** Far in the future: the holds meant to be captured or voided never expire in these histories. */
const FAR_MS = 10_000_000;
/** When the short hold expired. */
const EXPIRED_AT_MS = 1_500;

/**
 * The original money history: alice and bob funded, a transfer, an unknown deposit that never
 * landed, a read and a refused transfer.
 */
function baseHistory(): History {
  const history: History = {
    startTotalMinor: 0n,
    operations: [
      operation({ id: 1, kind: 'create_user', outcome: 'ok', result: { userId: alice } }),
      operation({ id: 2, kind: 'create_user', outcome: 'ok', result: { userId: bob } }),
      operation({
        id: 3,
        kind: 'deposit',
        outcome: 'ok',
        idempotencyKey: 'k3',
        userId: alice,
        amountMinor: 1000n,
        result: { balanceMinor: 1000n },
      }),
      operation({
        id: 4,
        kind: 'deposit',
        outcome: 'ok',
        idempotencyKey: 'k4',
        userId: bob,
        amountMinor: 500n,
      }),
      operation({
        id: 5,
        kind: 'transfer',
        outcome: 'ok',
        idempotencyKey: 'k5',
        sourceUserId: alice,
        targetUserId: bob,
        amountMinor: 300n,
        result: { transferId, sourceBalanceMinor: 700n, targetBalanceMinor: 800n },
      }),
      // Timed out and never applied: allowed, the total may or may not include it.
      operation({
        id: 6,
        kind: 'deposit',
        outcome: 'info',
        idempotencyKey: 'k6',
        userId: alice,
        amountMinor: 200n,
      }),
      operation({ id: 7, kind: 'read', outcome: 'ok', userId: bob, result: { balanceMinor: 800n } }),
      operation({
        id: 8,
        kind: 'transfer',
        outcome: 'fail',
        idempotencyKey: 'k8',
        sourceUserId: bob,
        targetUserId: alice,
        amountMinor: 10_000n,
      }),
    ],
    faults: [{ kind: 'kill', target: 'transactions-1', startedAtMs: 550, endedAtMs: 700 }],
    snapshot: {
      users: [
        { userId: alice, email: 'alice@example.com' },
        { userId: bob, email: 'bob@example.com' },
      ],
      wallets: [
        { userId: alice, balanceMinor: 0n, heldMinor: 0n, status: 'active', seq: 0n },
        { userId: bob, balanceMinor: 0n, heldMinor: 0n, status: 'active', seq: 0n },
      ],
      transactions: [],
      holds: [],
      outbox: [
        { service: 'users', eventId: 'e1', topic: 'user-created', publishedAt: 't' },
        { service: 'transactions', eventId: 'e2', topic: 'money-added', publishedAt: 't' },
      ],
    },
    kafkaEventIds: new Set(['e1', 'e2']),
    kafkaRecords: [],
  };
  appendRow(history, { userId: alice, kind: 'deposit', balanceChangeMinor: 1000n, idempotencyKey: 'k3' });
  appendRow(history, { userId: bob, kind: 'deposit', balanceChangeMinor: 500n, idempotencyKey: 'k4' });
  appendRow(history, {
    userId: alice,
    kind: 'transfer_out',
    balanceChangeMinor: -300n,
    transferId,
    idempotencyKey: 'k5',
  });
  appendRow(history, { userId: bob, kind: 'transfer_in', balanceChangeMinor: 300n, transferId });
  return history;
}

/**
 * The base history plus one of each new operation: a withdrawal; a hold captured in part, one
 * voided, one that expired (and a capture of it refused), one still pending; a partial transfer
 * reversal, a partial deposit reversal; a freeze, an unfreeze and a withdrawal it refused; an
 * unknown withdrawal that never landed. Final: alice 650 (held 30), bob 700.
 */
function cleanHistory(): History {
  const history = baseHistory();
  history.operations.push(...newOperations());
  appendNewRows(history);
  // carol signed up and closed her empty wallet; a deposit after that was refused (WALLET_CLOSED)
  history.snapshot.users.push({ userId: carol, email: 'carol@example.com' });
  history.snapshot.wallets.push({
    userId: carol,
    balanceMinor: 0n,
    heldMinor: 0n,
    status: 'closed',
    seq: 0n,
  });
  history.snapshot.holds.push(
    hold(holdCaptured, alice, bob, 200n, 'captured', {
      capturedAmountMinor: 150n,
      transferId: captureTransferId,
    }),
    hold(holdVoided, alice, bob, 100n, 'voided'),
    hold(holdExpired, bob, alice, 50n, 'expired', {
      expiresAtMs: EXPIRED_AT_MS,
      resolvedAtMs: EXPIRED_AT_MS + 200,
    }),
    hold(holdPending, alice, bob, 30n, 'pending'),
  );
  return history;
}

function hold(
  holdId: string,
  fromUserId: string,
  toUserId: string,
  amountMinor: bigint,
  status: HoldRow['status'],
  extra: Partial<HoldRow> = {},
): HoldRow {
  return {
    holdId,
    fromUserId,
    toUserId,
    amountMinor,
    capturedAmountMinor: null,
    status,
    expiresAtMs: FAR_MS,
    resolvedAtMs: status === 'pending' ? null : 1_200,
    transferId: null,
    ...extra,
  };
}

function newOperations(): Operation[] {
  const sides = { sourceUserId: alice, targetUserId: bob };
  return [
    operation({
      id: 9,
      kind: 'withdrawal',
      outcome: 'ok',
      idempotencyKey: 'k9',
      userId: bob,
      amountMinor: 100n,
      result: {
        balanceMinor: 700n,
        availableMinor: 700n,
        amountMinor: 100n,
        transactionId: 'withdrawal-b-3',
      },
    }),
    operation({
      id: 10,
      kind: 'hold',
      outcome: 'ok',
      idempotencyKey: 'k10',
      ...sides,
      amountMinor: 200n,
      result: { holdId: holdCaptured, balanceMinor: 700n, heldMinor: 200n, availableMinor: 500n },
    }),
    operation({
      id: 11,
      kind: 'capture',
      outcome: 'ok',
      idempotencyKey: 'k11',
      holdId: holdCaptured,
      ...sides,
      amountMinor: 150n,
      result: {
        holdId: holdCaptured,
        transferId: captureTransferId,
        capturedAmountMinor: 150n,
        balanceMinor: 550n,
        heldMinor: 0n,
        targetBalanceMinor: 850n,
      },
    }),
    operation({ id: 12, kind: 'hold', outcome: 'ok', idempotencyKey: 'k12', ...sides, amountMinor: 100n }),
    operation({ id: 13, kind: 'void', outcome: 'ok', idempotencyKey: 'k13', holdId: holdVoided, ...sides }),
    operation({
      id: 14,
      kind: 'hold',
      outcome: 'ok',
      idempotencyKey: 'k14',
      sourceUserId: bob,
      targetUserId: alice,
      amountMinor: 50n,
      expiresInSeconds: 1,
    }),
    // A capture after the expiry: refused (HOLD_EXPIRED), as it must be.
    operation({
      id: 15,
      kind: 'capture',
      outcome: 'fail',
      idempotencyKey: 'k15',
      holdId: holdExpired,
      sourceUserId: bob,
      targetUserId: alice,
    }),
    operation({ id: 16, kind: 'hold', outcome: 'ok', idempotencyKey: 'k16', ...sides, amountMinor: 30n }),
    operation({
      id: 17,
      kind: 'reverse_transfer',
      outcome: 'ok',
      idempotencyKey: 'k17',
      ...sides,
      originalId: transferId,
      originalAmountMinor: 300n,
      amountMinor: 100n,
      result: {
        reversalId,
        amountMinor: 100n,
        reversedTotalMinor: 100n,
        remainingMinor: 200n,
        sourceBalanceMinor: 750n,
        targetBalanceMinor: 650n,
      },
    }),
    operation({
      id: 18,
      kind: 'reverse_deposit',
      outcome: 'ok',
      idempotencyKey: 'k18',
      userId: bob,
      originalId: 'deposit-b-1',
      originalAmountMinor: 500n,
      amountMinor: 50n,
      result: {
        reversalId: 'deposit_reversal-b-8',
        amountMinor: 50n,
        reversedTotalMinor: 50n,
        remainingMinor: 450n,
        balanceMinor: 700n,
      },
    }),
    operation({ id: 19, kind: 'freeze', outcome: 'ok', userId: bob, result: { walletStatus: 'frozen' } }),
    // Refused with WALLET_FROZEN while bob was frozen: a legitimate outcome.
    operation({
      id: 20,
      kind: 'withdrawal',
      outcome: 'fail',
      idempotencyKey: 'k20',
      userId: bob,
      amountMinor: 10n,
    }),
    operation({ id: 21, kind: 'unfreeze', outcome: 'ok', userId: bob, result: { walletStatus: 'active' } }),
    // Timed out and never applied: the total may be lower by at most its amount.
    operation({
      id: 22,
      kind: 'withdrawal',
      outcome: 'info',
      idempotencyKey: 'k22',
      userId: alice,
      amountMinor: 40n,
    }),
    operation({ id: 23, kind: 'create_user', outcome: 'ok', result: { userId: carol } }),
    operation({ id: 24, kind: 'close', outcome: 'ok', userId: carol, result: { walletStatus: 'closed' } }),
    operation({
      id: 25,
      kind: 'deposit',
      outcome: 'fail',
      idempotencyKey: 'k25',
      userId: carol,
      amountMinor: 5n,
    }),
  ];
}

function appendNewRows(history: History): void {
  appendRow(history, { userId: bob, kind: 'withdrawal', balanceChangeMinor: -100n, idempotencyKey: 'k9' });
  appendRow(history, {
    userId: alice,
    kind: 'hold',
    heldChangeMinor: 200n,
    holdId: holdCaptured,
    idempotencyKey: 'k10',
  });
  const capture = { transferId: captureTransferId, holdId: holdCaptured, atMs: 1_100 };
  appendRow(history, {
    userId: alice,
    kind: 'transfer_out',
    balanceChangeMinor: -150n,
    heldChangeMinor: -200n,
    idempotencyKey: 'k11',
    ...capture,
  });
  appendRow(history, { userId: bob, kind: 'transfer_in', balanceChangeMinor: 150n, ...capture });
  appendRow(history, {
    userId: alice,
    kind: 'hold',
    heldChangeMinor: 100n,
    holdId: holdVoided,
    idempotencyKey: 'k12',
  });
  appendRow(history, {
    userId: alice,
    kind: 'hold_release',
    heldChangeMinor: -100n,
    holdId: holdVoided,
    idempotencyKey: 'k13',
  });
  appendRow(history, {
    userId: bob,
    kind: 'hold',
    heldChangeMinor: 50n,
    holdId: holdExpired,
    idempotencyKey: 'k14',
  });
  // The platform's expiry sweep: no key.
  appendRow(history, {
    userId: bob,
    kind: 'hold_release',
    heldChangeMinor: -50n,
    holdId: holdExpired,
    atMs: 1_700,
  });
  appendRow(history, {
    userId: alice,
    kind: 'hold',
    heldChangeMinor: 30n,
    holdId: holdPending,
    idempotencyKey: 'k16',
  });
  const reversal = { transferId: reversalId, reversesId: transferId };
  appendRow(history, {
    userId: bob,
    kind: 'reversal_out',
    balanceChangeMinor: -100n,
    idempotencyKey: 'k17',
    ...reversal,
  });
  appendRow(history, { userId: alice, kind: 'reversal_in', balanceChangeMinor: 100n, ...reversal });
  appendRow(history, {
    userId: bob,
    kind: 'deposit_reversal',
    balanceChangeMinor: -50n,
    reversesId: 'deposit-b-1',
    idempotencyKey: 'k18',
  });
}

function walletOf(history: History, userId: string): WalletRow {
  const found = history.snapshot.wallets.find((wallet) => wallet.userId === userId);
  if (!found) throw new Error(`no wallet ${userId}`);
  return found;
}

function holdOf(history: History, holdId: string): HoldRow {
  const found = history.snapshot.holds.find((candidate) => candidate.holdId === holdId);
  if (!found) throw new Error(`no hold ${holdId}`);
  return found;
}

function rowOf(history: History, id: string): LedgerRow {
  const found = history.snapshot.transactions.find((candidate) => candidate.id === id);
  if (!found)
    throw new Error(`no row ${id}; rows: ${history.snapshot.transactions.map((r) => r.id).join(', ')}`);
  return found;
}

function kindsOf(history: History): ViolationKind[] {
  return [...new Set(checkHistory(history).map((violation) => violation.kind))].sort();
}

function operationById(history: History, id: number): Operation {
  const found = history.operations.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
}

/** An acknowledged read of `userId` answered by one attempt over [startedAtMs, endedAtMs]. */
function readOf(
  id: number,
  userId: string,
  startedAtMs: number,
  endedAtMs: number,
  result: Operation['result'],
): Operation {
  return operation({
    id,
    kind: 'read',
    outcome: 'ok',
    userId,
    result,
    invokedAtMs: startedAtMs,
    completedAtMs: endedAtMs,
    attempts: [{ startedAtMs, endedAtMs, status: 200 }],
  });
}

describe('checkHistory', () => {
  it('passes the base history (deposits and transfers only)', () => {
    // Given a history of the original operations where every promise was kept
    // When it is checked / Then nothing is reported
    expect(checkHistory(baseHistory())).toEqual([]);
  });

  it('passes a clean history with withdrawals, holds, reversals and freezes', () => {
    // Given one of each new operation, every promise kept, and unknown outcomes that never landed
    const history = cleanHistory();
    // When it is checked / Then nothing is reported
    expect(checkHistory(history)).toEqual([]);
  });

  it('passes when the unknown deposit and the unknown withdrawal did land, once each', () => {
    // Given the timed-out deposit and the timed-out withdrawal each applied exactly once
    const history = cleanHistory();
    appendRow(history, { userId: alice, kind: 'deposit', balanceChangeMinor: 200n, idempotencyKey: 'k6' });
    appendRow(history, {
      userId: alice,
      kind: 'withdrawal',
      balanceChangeMinor: -40n,
      idempotencyKey: 'k22',
    });
    // Then the total lies within its range and nothing is reported
    expect(checkHistory(history)).toEqual([]);
  });

  it('passes a second capture of a captured hold, acknowledged without a second movement', () => {
    // Given a capture of the same amount sent again under another key: answered 200, nothing moved
    const history = cleanHistory();
    history.operations.push(
      operation({
        id: 30,
        kind: 'capture',
        outcome: 'ok',
        idempotencyKey: 'k30',
        holdId: holdCaptured,
        amountMinor: 150n,
      }),
    );
    // Then nothing is reported
    expect(checkHistory(history)).toEqual([]);
  });

  it('catches a lost update: two deposits read the same balance and one write is lost', () => {
    // Given two acknowledged deposits to bob that both started from 500
    const history = cleanHistory();
    history.operations.push(
      operation({
        id: 30,
        kind: 'deposit',
        outcome: 'ok',
        idempotencyKey: 'k30',
        userId: bob,
        amountMinor: 50n,
      }),
    );
    appendRow(history, {
      userId: bob,
      kind: 'deposit',
      oldBalanceMinor: 500n,
      balanceChangeMinor: 50n,
      idempotencyKey: 'k30',
    });
    // When checked / Then the missing money and the fork in the chain are both reported
    const kinds = kindsOf(history);
    expect(kinds).toContain('money-not-conserved');
    expect(kinds).toContain('chain-broken');
  });

  it('catches a retry applied twice under one idempotency key', () => {
    // Given the acknowledged deposit k4 stored twice (the retry was not recognised)
    const history = cleanHistory();
    appendRow(history, { userId: bob, kind: 'deposit', balanceChangeMinor: 500n, idempotencyKey: 'k4' });
    // Then it is reported as not applied exactly once, and money appeared from nowhere
    const kinds = kindsOf(history);
    expect(kinds).toContain('acked-not-applied-once');
    expect(kinds).toContain('money-not-conserved');
  });

  it('catches an unknown-outcome deposit applied twice even when the total looks plausible', () => {
    // Given the timed-out deposit of 200 applied twice: the total leaves its range, and the
    // per-key count says why
    const history = cleanHistory();
    appendRow(history, { userId: alice, kind: 'deposit', balanceChangeMinor: 200n, idempotencyKey: 'k6' });
    appendRow(history, { userId: alice, kind: 'deposit', balanceChangeMinor: 200n, idempotencyKey: 'k6' });
    expect(kindsOf(history)).toEqual(['money-not-conserved', 'unknown-applied-twice']);
  });

  it('catches an unknown-outcome withdrawal applied twice', () => {
    // Given the timed-out withdrawal of 40 applied twice
    const history = cleanHistory();
    appendRow(history, {
      userId: alice,
      kind: 'withdrawal',
      balanceChangeMinor: -40n,
      idempotencyKey: 'k22',
    });
    appendRow(history, {
      userId: alice,
      kind: 'withdrawal',
      balanceChangeMinor: -40n,
      idempotencyKey: 'k22',
    });
    // Then the count is reported, and the total fell below what at most one could take
    expect(kindsOf(history)).toEqual(['money-not-conserved', 'unknown-applied-twice']);
  });

  it('catches a broken chain even when the totals agree', () => {
    // Given alice's transfer-out row claims she had 1100 before it (she had 1000), and bob's
    // deposit row is 100 lower to compensate, so the sum of balances is still right
    const history = cleanHistory();
    const transferOut = rowOf(history, 'transfer_out-a-2');
    transferOut.oldBalanceMinor = 1100n;
    transferOut.newBalanceMinor = 800n;
    const deposit = rowOf(history, 'deposit-b-1');
    deposit.balanceChangeMinor = 400n;
    deposit.newBalanceMinor = 400n;
    // Then the chain and the amounts are reported
    const kinds = kindsOf(history);
    expect(kinds).toContain('chain-broken');
    expect(kinds).not.toContain('money-not-conserved');
  });

  type Mutation = [string, ViolationKind, (history: History) => void];
  const mutations: Mutation[] = [
    [
      'a refused transfer that moved money',
      'refused-but-applied',
      (history) => {
        appendRow(history, {
          userId: bob,
          kind: 'transfer_out',
          balanceChangeMinor: -700n,
          transferId: 't8',
          idempotencyKey: 'k8',
        });
        appendRow(history, {
          userId: alice,
          kind: 'transfer_in',
          balanceChangeMinor: 700n,
          transferId: 't8',
        });
      },
    ],
    [
      'a withdrawal refused (WALLET_FROZEN) that took money anyway',
      'refused-but-applied',
      (history) => {
        appendRow(history, {
          userId: bob,
          kind: 'withdrawal',
          balanceChangeMinor: -10n,
          idempotencyKey: 'k20',
        });
      },
    ],
    [
      'a read that saw a negative balance',
      'negative-balance',
      (history) => {
        operationById(history, 7).result = { balanceMinor: -1n };
      },
    ],
    [
      'a read of a balance the wallet never had',
      'read-not-in-history',
      (history) => {
        operationById(history, 7).result = { balanceMinor: 801n };
      },
    ],
    [
      'a read of a balance with a held amount the wallet never had with it',
      'read-not-in-history',
      (history) => {
        operationById(history, 7).result = { balanceMinor: 800n, heldMinor: 10n, availableMinor: 790n };
      },
    ],
    [
      'a response that differs from the ledger',
      'ack-mismatch',
      (history) => {
        operationById(history, 3).result = { balanceMinor: 999n };
      },
    ],
    [
      'a hold answer whose held amount differs from the ledger',
      'ack-mismatch',
      (history) => {
        operationById(history, 10).result = { holdId: holdCaptured, heldMinor: 999n };
      },
    ],
    [
      'a transfer with only one leg',
      'transfer-legs',
      (history) => {
        const index = history.snapshot.transactions.findIndex(
          (candidate) => candidate.kind === 'transfer_in',
        );
        history.snapshot.transactions.splice(index, 1);
      },
    ],
    [
      'money moved under a key no client sent',
      'phantom-movement',
      (history) => {
        appendRow(history, { userId: bob, kind: 'deposit', balanceChangeMinor: 1n, idempotencyKey: 'zz' });
      },
    ],
    [
      'a hold released without a key for a hold no client made',
      'phantom-movement',
      (history) => {
        appendRow(history, { userId: bob, kind: 'hold', heldChangeMinor: 5n, holdId: 'h-nobody' });
        appendRow(history, { userId: bob, kind: 'hold_release', heldChangeMinor: -5n, holdId: 'h-nobody' });
      },
    ],
    [
      'a withdrawal applied twice (money left twice)',
      'money-not-conserved',
      (history) => {
        appendRow(history, {
          userId: bob,
          kind: 'withdrawal',
          balanceChangeMinor: -100n,
          idempotencyKey: 'k9',
        });
      },
    ],
    [
      'a deposit reversal that took more than the client was told',
      'applied-wrong-amount',
      (history) => {
        const reversal = rowOf(history, 'deposit_reversal-b-8');
        reversal.balanceChangeMinor = -80n;
        reversal.newBalanceMinor = reversal.oldBalanceMinor - 80n;
        walletOf(history, bob).balanceMinor = reversal.newBalanceMinor;
      },
    ],
    [
      'a wallet whose held differs from its pending holds',
      'held-mismatch',
      (history) => {
        holdOf(history, holdPending).amountMinor = 40n;
      },
    ],
    [
      'a pending hold the ledger released',
      'hold-status-mismatch',
      (history) => {
        holdOf(history, holdVoided).status = 'pending';
      },
    ],
    [
      'a hold that expired before its time',
      'hold-status-mismatch',
      (history) => {
        holdOf(history, holdExpired).resolvedAtMs = EXPIRED_AT_MS - 500;
      },
    ],
    [
      'held above the balance (available below zero)',
      'available-negative',
      (history) => {
        appendRow(history, {
          userId: bob,
          kind: 'hold',
          heldChangeMinor: 701n,
          holdId: 'h-big',
          idempotencyKey: 'kbig',
        });
        history.operations.push(
          operation({
            id: 30,
            kind: 'hold',
            outcome: 'ok',
            idempotencyKey: 'kbig',
            sourceUserId: bob,
            targetUserId: alice,
            amountMinor: 701n,
          }),
        );
        history.snapshot.holds.push(hold('h-big', bob, alice, 701n, 'pending'));
      },
    ],
    [
      'an answer with a negative available balance',
      'available-negative',
      (history) => {
        operationById(history, 9).result = { availableMinor: -1n };
      },
    ],
    [
      'a second capture of a hold that moved money again',
      'hold-captured-twice',
      (history) => {
        history.operations.push(
          operation({
            id: 30,
            kind: 'capture',
            outcome: 'ok',
            idempotencyKey: 'k30',
            holdId: holdCaptured,
            sourceUserId: alice,
            targetUserId: bob,
            amountMinor: 150n,
          }),
        );
        const again = { transferId: 't-again', holdId: holdCaptured };
        appendRow(history, {
          userId: alice,
          kind: 'transfer_out',
          balanceChangeMinor: -150n,
          idempotencyKey: 'k30',
          ...again,
        });
        appendRow(history, { userId: bob, kind: 'transfer_in', balanceChangeMinor: 150n, ...again });
      },
    ],
    [
      'a voided hold captured in the ledger',
      'hold-captured-after-void',
      (history) => {
        history.operations.push(
          operation({
            id: 30,
            kind: 'capture',
            outcome: 'ok',
            idempotencyKey: 'k30',
            holdId: holdVoided,
            sourceUserId: alice,
            targetUserId: bob,
          }),
        );
        const late = { transferId: 't-late', holdId: holdVoided };
        appendRow(history, {
          userId: alice,
          kind: 'transfer_out',
          balanceChangeMinor: -100n,
          idempotencyKey: 'k30',
          ...late,
        });
        appendRow(history, { userId: bob, kind: 'transfer_in', balanceChangeMinor: 100n, ...late });
      },
    ],
    [
      'a capture acknowledged for a hold that ended voided',
      'hold-captured-after-void',
      (history) => {
        history.operations.push(
          operation({ id: 30, kind: 'capture', outcome: 'ok', idempotencyKey: 'k30', holdId: holdVoided }),
        );
      },
    ],
    [
      'an expired hold captured in the ledger',
      'hold-captured-after-expiry',
      (history) => {
        history.operations.push(
          operation({
            id: 30,
            kind: 'capture',
            outcome: 'ok',
            idempotencyKey: 'k30',
            holdId: holdExpired,
            sourceUserId: bob,
            targetUserId: alice,
          }),
        );
        const late = { transferId: 't-late', holdId: holdExpired, atMs: EXPIRED_AT_MS + 400 };
        appendRow(history, {
          userId: bob,
          kind: 'transfer_out',
          balanceChangeMinor: -50n,
          idempotencyKey: 'k30',
          ...late,
        });
        appendRow(history, { userId: alice, kind: 'transfer_in', balanceChangeMinor: 50n, ...late });
      },
    ],
    [
      'a capture that landed at or after the hold expired',
      'hold-captured-after-expiry',
      (history) => {
        holdOf(history, holdCaptured).expiresAtMs = 1_050;
      },
    ],
    [
      'a capture above the hold amount',
      'capture-exceeds-hold',
      (history) => {
        holdOf(history, holdCaptured).amountMinor = 100n;
      },
    ],
    [
      'transfer reversals that add up to more than the transfer',
      'reversal-exceeds-original',
      (history) => {
        history.operations.push(
          operation({
            id: 30,
            kind: 'reverse_transfer',
            outcome: 'ok',
            idempotencyKey: 'k30',
            sourceUserId: alice,
            targetUserId: bob,
            originalId: transferId,
            amountMinor: 250n,
          }),
        );
        const again = { transferId: 'r-again', reversesId: transferId };
        appendRow(history, {
          userId: bob,
          kind: 'reversal_out',
          balanceChangeMinor: -250n,
          idempotencyKey: 'k30',
          ...again,
        });
        appendRow(history, { userId: alice, kind: 'reversal_in', balanceChangeMinor: 250n, ...again });
      },
    ],
    [
      'deposit reversals that add up to more than the deposit',
      'reversal-exceeds-original',
      (history) => {
        history.operations.push(
          operation({
            id: 30,
            kind: 'deposit',
            outcome: 'ok',
            idempotencyKey: 'k30',
            userId: bob,
            amountMinor: 1000n,
          }),
          operation({
            id: 31,
            kind: 'reverse_deposit',
            outcome: 'ok',
            idempotencyKey: 'k31',
            userId: bob,
            originalId: 'deposit-b-1',
            amountMinor: 500n,
          }),
        );
        appendRow(history, {
          userId: bob,
          kind: 'deposit',
          balanceChangeMinor: 1000n,
          idempotencyKey: 'k30',
        });
        appendRow(history, {
          userId: bob,
          kind: 'deposit_reversal',
          balanceChangeMinor: -500n,
          reversesId: 'deposit-b-1',
          idempotencyKey: 'k31',
        });
      },
    ],
    [
      'a reversal answer that reports more reversed than the original',
      'reversal-exceeds-original',
      (history) => {
        const result = operationById(history, 17).result!;
        result.reversedTotalMinor = 400n;
        result.remainingMinor = -100n;
      },
    ],
    [
      'a transfer reversal with one leg',
      'reversal-legs',
      (history) => {
        const index = history.snapshot.transactions.findIndex(
          (candidate) => candidate.kind === 'reversal_in',
        );
        history.snapshot.transactions.splice(index, 1);
      },
    ],
    [
      'a gap in a wallet ledger sequence',
      'seq-gap',
      (history) => {
        rowOf(history, 'deposit_reversal-b-8').seq = 9n;
        walletOf(history, bob).seq = 9n;
      },
    ],
    [
      'a held chain that does not link',
      'chain-broken',
      (history) => {
        const row = rowOf(history, 'hold-a-7');
        row.oldHeldMinor = 5n;
        row.newHeldMinor = 35n;
        walletOf(history, alice).heldMinor = 35n;
      },
    ],
    [
      'a withdrawal from a wallet while it was frozen',
      'frozen-wallet-paid',
      (history) => {
        // Given bob frozen by #19 (answered at 1910) and unfrozen by #21 (sent at 2100), the
        // withdrawal #20 sent at 2000 and answered at 2010 took money anyway
        const withdrawal = operationById(history, 20);
        withdrawal.outcome = 'ok';
        withdrawal.attempts[0]!.status = 200;
        appendRow(history, {
          userId: bob,
          kind: 'withdrawal',
          balanceChangeMinor: -10n,
          idempotencyKey: 'k20',
        });
      },
    ],
    [
      'a deposit that landed in a wallet after it was closed',
      'closed-wallet-moved',
      (history) => {
        const deposit = operationById(history, 25);
        deposit.outcome = 'ok';
        deposit.attempts[0]!.status = 200;
        appendRow(history, { userId: carol, kind: 'deposit', balanceChangeMinor: 5n, idempotencyKey: 'k25' });
      },
    ],
    [
      'a close acknowledged for a wallet that is still active',
      'closed-wallet-moved',
      (history) => {
        walletOf(history, carol).status = 'active';
      },
    ],
    [
      'an event whose wallet balance differs from its ledger row',
      'event-wallet-mismatch',
      (history) => {
        const event = history.snapshot.outbox.find((candidate) => candidate.eventId === 'event-hold-a-7');
        event!.wallets![0]!.heldMinor = 0n;
      },
    ],
    [
      'a ledger row no event announces (a gap in the wallet events)',
      'event-wallet-mismatch',
      (history) => {
        history.snapshot.outbox = history.snapshot.outbox.filter(
          (event) => event.eventId !== 'event-hold-a-7',
        );
      },
    ],
    [
      'a created user with no wallet',
      'wallet-count',
      (history) => {
        history.snapshot.users.push({
          userId: '00000000-0000-4000-8000-00000000000d',
          email: 'd@example.com',
        });
      },
    ],
    [
      'an outbox row never published',
      'outbox-unpublished',
      (history) => {
        history.snapshot.outbox[1]!.publishedAt = null;
      },
    ],
    [
      'an event marked published that Kafka does not hold',
      'event-not-on-kafka',
      (history) => {
        history.kafkaEventIds = new Set(['e1']);
      },
    ],
    [
      'a 500 from a service',
      'unexpected-5xx',
      (history) => {
        operationById(history, 7).attempts.unshift({
          startedAtMs: 5,
          endedAtMs: 6,
          status: 500,
          code: 'INTERNAL_ERROR',
        });
      },
    ],
    [
      'a 503 long after every fault ended',
      'unexpected-5xx',
      (history) => {
        operationById(history, 7).attempts.unshift({
          startedAtMs: 60_000,
          endedAtMs: 60_001,
          status: 503,
          code: 'DATABASE_UNAVAILABLE',
        });
      },
    ],
    [
      'a replica that died by itself',
      'replica-crashed',
      (history) => {
        history.crashes = [{ replica: 'transactions-2', atMs: 650, exitCode: 1, signal: null }];
      },
    ],
    [
      'a read that returned the balance from before a withdrawal acknowledged before it began',
      'stale-read',
      (history) => {
        // bob was 800 (seq 2) until the withdrawal k9, acknowledged at 910, made him 700 (seq 3)
        history.operations.push(readOf(30, bob, 1_000, 1_010, { balanceMinor: 800n, heldMinor: 0n }));
      },
    ],
    [
      'a read older than a state an earlier read had already returned (not monotonic)',
      'stale-read',
      (history) => {
        // During the capture (sent 1100, acknowledged 1110) one read sees its 850, and a read
        // begun after that answer sees 700 again: the capture was visible, then it was not
        history.operations.push(
          readOf(30, bob, 1_102, 1_104, { balanceMinor: 850n, heldMinor: 0n }),
          readOf(31, bob, 1_105, 1_107, { balanceMinor: 700n, heldMinor: 0n }),
        );
      },
    ],
    [
      'a read that saw the effect of a write sent only after its answer',
      'read-of-future-write',
      (history) => {
        // 700 is bob after the withdrawal k9, sent at 900: a read answered at 860 cannot see it
        history.operations.push(readOf(30, bob, 850, 860, { balanceMinor: 700n, heldMinor: 0n }));
      },
    ],
    [
      'a ledger step no Kafka record announces (an event lost on the way)',
      'event-missing',
      (history) => {
        const records = history.kafkaRecords as KafkaRecord[];
        records.splice(
          records.findIndex((record) => record.eventId === 'event-withdrawal-b-3'),
          1,
        );
      },
    ],
    [
      'a ledger step announced by two different events (applied twice by a consumer)',
      'event-duplicated',
      (history) => {
        const records = history.kafkaRecords as KafkaRecord[];
        const original = records.find((record) => record.eventId === 'event-withdrawal-b-3')!;
        records.push({ ...original, eventId: 'event-withdrawal-b-3-again', offset: '999' });
      },
    ],
    [
      'one event id redelivered with different wallets',
      'event-duplicated',
      (history) => {
        const records = history.kafkaRecords as KafkaRecord[];
        const original = records.find((record) => record.eventId === 'event-withdrawal-b-3')!;
        const changed = { ...original.wallets![0]!, balanceMinor: 1n, availableMinor: 1n };
        records.push({ ...original, offset: '999', wallets: [changed] });
      },
    ],
    [
      'events whose seq stamps swap two steps of the ledger (out of commit order)',
      'event-out-of-order',
      (history) => {
        // bob's transfer-in (seq 2) and withdrawal (seq 3) events carry each other's seq
        const records = history.kafkaRecords as KafkaRecord[];
        const transferIn = records.find((record) => record.eventId === 'event-transfer_in-b-2')!;
        const withdrawal = records.find((record) => record.eventId === 'event-withdrawal-b-3')!;
        transferIn.wallets = [{ ...transferIn.wallets![0]!, seq: 3n }];
        withdrawal.wallets = [{ ...withdrawal.wallets![0]!, seq: 2n }];
      },
    ],
  ];

  it.each(mutations)('catches %s', (_label, expectedKind, mutate) => {
    // Given the clean history with one promise broken
    const history = cleanHistory();
    mutate(history);
    // When checked / Then that promise is named
    expect(kindsOf(history)).toContain(expectedKind);
  });

  it('allows money out of a wallet whose freeze overlapped an unfreeze still in flight', () => {
    // Given a second freeze of bob answered while an unfreeze (sent before it) was still running,
    // and a withdrawal in between: the unfreeze may have landed last, so the withdrawal may pass
    const history = cleanHistory();
    history.operations.push(
      operation({ id: 30, kind: 'unfreeze', outcome: 'ok', userId: bob }),
      operation({ id: 31, kind: 'freeze', outcome: 'ok', userId: bob }),
      operation({
        id: 32,
        kind: 'withdrawal',
        outcome: 'ok',
        idempotencyKey: 'k32',
        userId: bob,
        amountMinor: 10n,
      }),
    );
    operationById(history, 30).completedAtMs = 3_150;
    appendRow(history, { userId: bob, kind: 'withdrawal', balanceChangeMinor: -10n, idempotencyKey: 'k32' });
    // Then it is not a violation
    expect(checkHistory(history)).toEqual([]);
  });

  it('allows a 503 during a fault, and WALLET_PENDING at any time', () => {
    // Given a 503 inside the fault window and a WALLET_PENDING far from any fault
    const history = cleanHistory();
    operationById(history, 7).attempts.unshift(
      { startedAtMs: 600, endedAtMs: 610, status: 503, code: 'DATABASE_UNAVAILABLE' },
      { startedAtMs: 90_000, endedAtMs: 90_001, status: 503, code: 'WALLET_PENDING' },
    );
    // Then neither is a violation
    expect(checkHistory(history)).toEqual([]);
  });

  it('allows a read during a write to return the state before it or after it', () => {
    // Given reads of bob while the capture (sent 1100, acknowledged 1110) was in flight, one
    // retried after a dropped attempt, and a read of the state the capture left
    const history = cleanHistory();
    const retried = readOf(31, bob, 1_101, 1_108, { balanceMinor: 850n, heldMinor: 0n });
    retried.attempts.unshift({ startedAtMs: 1_050, endedAtMs: 1_100, error: 'ECONNRESET' });
    history.operations.push(
      readOf(30, bob, 1_100, 1_109, { balanceMinor: 700n, heldMinor: 0n }),
      retried,
      readOf(32, bob, 1_111, 1_120, { balanceMinor: 850n, heldMinor: 0n }),
    );
    // Then each saw a state it may see, and nothing is reported
    expect(checkHistory(history)).toEqual([]);
  });

  it('allows a hold to expire at any time a read overlaps, and an event redelivered unchanged', () => {
    // Given a read of bob's held 50 at a time between his hold and its expiry by the sweep (which
    // no request times), and the withdrawal's event delivered twice under one id
    const history = cleanHistory();
    history.operations.push(readOf(30, bob, 1_450, 1_460, { balanceMinor: 850n, heldMinor: 50n }));
    const records = history.kafkaRecords as KafkaRecord[];
    records.push({ ...records.find((record) => record.eventId === 'event-withdrawal-b-3')!, offset: '999' });
    // Then nothing is reported
    expect(checkHistory(history)).toEqual([]);
  });

  it('catches an acknowledged deposit lost from the final state, as after a crash that lost a commit', () => {
    // Given a deposit to bob acknowledged with his new balance 760, a read that saw it, and a
    // final ledger and wallet that do not hold it (the commit did not survive the crash)
    const history = cleanHistory();
    history.operations.push(
      operation({
        id: 30,
        kind: 'deposit',
        outcome: 'ok',
        idempotencyKey: 'k30',
        userId: bob,
        amountMinor: 60n,
        result: { balanceMinor: 760n },
      }),
      readOf(31, bob, 3_100, 3_110, { balanceMinor: 760n, heldMinor: 0n }),
    );
    // When checked / Then the missing application, the missing money and the read of a state
    // the ledger never had are each named
    const kinds = kindsOf(history);
    expect(kinds).toContain('acked-not-applied-once');
    expect(kinds).toContain('money-not-conserved');
    expect(kinds).toContain('read-not-in-history');
  });
});
