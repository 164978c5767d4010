import { describe, expect, it } from 'vitest';
import { checkHistory } from './checker.ts';
import type { History, LedgerRow, Operation, ViolationKind } from './history.ts';

// Two wallets, a few movements, every outcome kind once. Hand-made, so each mutation below
// breaks exactly one promise and the test shows the checker notices.
const alice = '00000000-0000-4000-8000-00000000000a';
const bob = '00000000-0000-4000-8000-00000000000b';
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
  return {
    id: `row-${fields.seq}`,
    transferId: null,
    idempotencyKey: null,
    oldBalanceMinor,
    balanceChangeMinor,
    newBalanceMinor: oldBalanceMinor + balanceChangeMinor,
    ...fields,
  };
}

function cleanHistory(): History {
  return {
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
        { userId: alice, balanceMinor: 700n },
        { userId: bob, balanceMinor: 800n },
      ],
      transactions: [
        row({ seq: 1n, userId: alice, kind: 'deposit', balanceChangeMinor: 1000n, idempotencyKey: 'k3' }),
        row({ seq: 2n, userId: bob, kind: 'deposit', balanceChangeMinor: 500n, idempotencyKey: 'k4' }),
        row({
          seq: 3n,
          userId: alice,
          kind: 'transfer_out',
          oldBalanceMinor: 1000n,
          balanceChangeMinor: -300n,
          transferId,
          idempotencyKey: 'k5',
        }),
        row({
          seq: 4n,
          userId: bob,
          kind: 'transfer_in',
          oldBalanceMinor: 500n,
          balanceChangeMinor: 300n,
          transferId,
        }),
      ],
      outbox: [
        { service: 'users', eventId: 'e1', topic: 'user-created', publishedAt: 't' },
        { service: 'transactions', eventId: 'e2', topic: 'money-added', publishedAt: 't' },
      ],
    },
    kafkaEventIds: new Set(['e1', 'e2']),
  };
}

function kindsOf(history: History): ViolationKind[] {
  return [...new Set(checkHistory(history).map((violation) => violation.kind))].sort();
}

function operationById(history: History, id: number): Operation {
  const found = history.operations.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
}

describe('checkHistory', () => {
  it('passes a clean history with an unknown deposit that never landed', () => {
    // Given a history where every promise was kept
    const history = cleanHistory();
    // When it is checked / Then nothing is reported
    expect(checkHistory(history)).toEqual([]);
  });

  it('passes when the unknown deposit did land, once', () => {
    // Given the timed-out deposit applied exactly once
    const history = cleanHistory();
    history.snapshot.transactions.push(
      row({
        seq: 5n,
        userId: alice,
        kind: 'deposit',
        oldBalanceMinor: 700n,
        balanceChangeMinor: 200n,
        idempotencyKey: 'k6',
      }),
    );
    history.snapshot.wallets[0]!.balanceMinor = 900n;
    // Then the total lies within [acked, acked + unknown] and nothing is reported
    expect(checkHistory(history)).toEqual([]);
  });

  it('catches a lost update: two deposits read the same balance and one write is lost', () => {
    // Given two acknowledged deposits to bob that both started from 500
    const history = cleanHistory();
    history.operations.push(
      operation({
        id: 9,
        kind: 'deposit',
        outcome: 'ok',
        idempotencyKey: 'k9',
        userId: bob,
        amountMinor: 50n,
      }),
    );
    history.snapshot.transactions.push(
      row({
        seq: 5n,
        userId: bob,
        kind: 'deposit',
        oldBalanceMinor: 500n,
        balanceChangeMinor: 50n,
        idempotencyKey: 'k9',
      }),
    );
    // …and the wallet kept the later write only, so the transfer-in of 300 vanished
    history.snapshot.wallets[1]!.balanceMinor = 550n;
    // When checked / Then the missing money and the fork in the chain are both reported
    const kinds = kindsOf(history);
    expect(kinds).toContain('money-not-conserved');
    expect(kinds).toContain('chain-broken');
  });

  it('catches a retry applied twice under one idempotency key', () => {
    // Given the acknowledged deposit k4 stored twice (the retry was not recognised)
    const history = cleanHistory();
    history.snapshot.transactions.push(
      row({
        seq: 5n,
        userId: bob,
        kind: 'deposit',
        oldBalanceMinor: 800n,
        balanceChangeMinor: 500n,
        idempotencyKey: 'k4',
      }),
    );
    history.snapshot.wallets[1]!.balanceMinor = 1300n;
    // Then it is reported as not applied exactly once, and money appeared from nowhere
    const kinds = kindsOf(history);
    expect(kinds).toContain('acked-not-applied-once');
    expect(kinds).toContain('money-not-conserved');
  });

  it('catches an unknown-outcome deposit applied twice even when the total looks plausible', () => {
    // Given the timed-out deposit of 200 applied twice: the total (1900) leaves the range
    // [1500, 1700], and the per-key count says why
    const history = cleanHistory();
    for (const [seq, oldBalanceMinor] of [
      [5n, 700n],
      [6n, 900n],
    ] as const) {
      history.snapshot.transactions.push(
        row({
          seq,
          userId: alice,
          kind: 'deposit',
          oldBalanceMinor,
          balanceChangeMinor: 200n,
          idempotencyKey: 'k6',
        }),
      );
    }
    history.snapshot.wallets[0]!.balanceMinor = 1100n;
    expect(kindsOf(history)).toEqual(['money-not-conserved', 'unknown-applied-twice']);
  });

  it('catches a broken chain even when the totals agree', () => {
    // Given alice's transfer-out row claims she had 1100 before it (she had 1000), and bob's
    // deposit row is 100 lower to compensate, so the sum of balances is still right
    const history = cleanHistory();
    const rows = history.snapshot.transactions;
    rows[2] = { ...rows[2]!, oldBalanceMinor: 1100n, newBalanceMinor: 800n };
    history.snapshot.wallets[0]!.balanceMinor = 800n;
    history.snapshot.wallets[1]!.balanceMinor = 700n;
    rows[1] = { ...rows[1]!, balanceChangeMinor: 400n, newBalanceMinor: 400n };
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
        history.snapshot.transactions.push(
          row({
            seq: 9n,
            userId: bob,
            kind: 'transfer_out',
            oldBalanceMinor: 800n,
            balanceChangeMinor: -800n,
            transferId: 't8',
            idempotencyKey: 'k8',
          }),
          row({
            seq: 10n,
            userId: alice,
            kind: 'transfer_in',
            oldBalanceMinor: 700n,
            balanceChangeMinor: 800n,
            transferId: 't8',
          }),
        );
        history.snapshot.wallets[0]!.balanceMinor = 1500n;
        history.snapshot.wallets[1]!.balanceMinor = 0n;
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
      'a response that differs from the ledger',
      'ack-mismatch',
      (history) => {
        operationById(history, 3).result = { balanceMinor: 999n };
      },
    ],
    [
      'a transfer with only one leg',
      'transfer-legs',
      (history) => {
        history.snapshot.transactions.pop();
      },
    ],
    [
      'money moved under a key no client sent',
      'phantom-movement',
      (history) => {
        history.snapshot.transactions.push(
          row({
            seq: 9n,
            userId: bob,
            kind: 'deposit',
            oldBalanceMinor: 800n,
            balanceChangeMinor: 1n,
            idempotencyKey: 'zz',
          }),
        );
      },
    ],
    [
      'a created user with no wallet',
      'wallet-count',
      (history) => {
        history.snapshot.users.push({
          userId: '00000000-0000-4000-8000-00000000000c',
          email: 'c@example.com',
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
  ];

  it.each(mutations)('catches %s', (_label, expectedKind, mutate) => {
    // Given the clean history with one promise broken
    const history = cleanHistory();
    mutate(history);
    // When checked / Then that promise is named
    expect(kindsOf(history)).toContain(expectedKind);
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
});
