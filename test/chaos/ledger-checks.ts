import type { History, LedgerRow, Violation } from './history.ts';

export function rowsByUser(rows: readonly LedgerRow[]): Map<string, LedgerRow[]> {
  const byUser = new Map<string, LedgerRow[]>();
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push(row);
    byUser.set(row.userId, list);
  }
  for (const list of byUser.values()) list.sort((left, right) => (left.seq < right.seq ? -1 : 1));
  return byUser;
}

type Chain = {
  label: 'balance' | 'held';
  old: (row: LedgerRow) => bigint;
  change: (row: LedgerRow) => bigint;
  next: (row: LedgerRow) => bigint;
};
const CHAINS: readonly Chain[] = [
  {
    label: 'balance',
    old: (row) => row.oldBalanceMinor,
    change: (row) => row.balanceChangeMinor,
    next: (row) => row.newBalanceMinor,
  },
  {
    label: 'held',
    old: (row) => row.oldHeldMinor,
    change: (row) => row.heldChangeMinor,
    next: (row) => row.newHeldMinor,
  },
];

/** One wallet's rows, in seq order, must chain from 0 in one column pair and end at `finalMinor`. */
function chainViolations(
  userId: string,
  rows: readonly LedgerRow[],
  chain: Chain,
  finalMinor: bigint,
): Violation[] {
  const violations: Violation[] = [];
  let expectedMinor = 0n;
  for (const row of rows) {
    if (chain.old(row) !== expectedMinor) {
      violations.push({
        kind: 'chain-broken',
        detail: `row ${row.id} (seq ${row.seq}) old_${chain.label} ${chain.old(row)}, previous new_${chain.label} ${expectedMinor}`,
        userId,
      });
    }
    if (chain.next(row) !== chain.old(row) + chain.change(row)) {
      violations.push({
        kind: 'chain-broken',
        detail: `row ${row.id} new_${chain.label} ${chain.next(row)} ≠ ${chain.old(row)} + ${chain.change(row)}`,
        userId,
      });
    }
    expectedMinor = chain.next(row);
  }
  if (finalMinor !== expectedMinor) {
    violations.push({
      kind: chain.label === 'balance' ? 'balance-mismatch' : 'held-mismatch',
      detail: `wallet ${chain.label} ${finalMinor}, last new_${chain.label} ${expectedMinor}`,
      userId,
    });
  }
  return violations;
}

/** A wallet's ledger sequence is 1, 2, 3 … with no gap or repeat, and the wallet names the last. */
function seqViolations(userId: string, rows: readonly LedgerRow[], walletSeq: bigint): Violation[] {
  const violations: Violation[] = [];
  rows.forEach((row, index) => {
    const expectedSeq = BigInt(index + 1);
    if (row.seq !== expectedSeq && violations.length === 0) {
      violations.push({
        kind: 'seq-gap',
        detail: `row ${row.id} has seq ${row.seq}, expected ${expectedSeq} (its ${index + 1}th row)`,
        userId,
      });
    }
  });
  if (walletSeq !== BigInt(rows.length)) {
    violations.push({
      kind: 'seq-gap',
      detail: `wallet seq ${walletSeq}, ${rows.length} ledger rows`,
      userId,
    });
  }
  return violations;
}

/**
 * Each wallet's rows, in its ledger order (seq 1, 2, 3 … with no gaps), must chain from 0 in both
 * balance and held: every old value is the previous new value, every new value is old + change,
 * and the last ones are the wallet's balance and held. A lost update shows here as two rows
 * starting from the same old value.
 */
export function checkChains(history: History): Violation[] {
  const violations: Violation[] = [];
  const byUser = rowsByUser(history.snapshot.transactions);
  for (const wallet of history.snapshot.wallets) {
    const rows = byUser.get(wallet.userId) ?? [];
    violations.push(...seqViolations(wallet.userId, rows, wallet.seq));
    violations.push(...chainViolations(wallet.userId, rows, CHAINS[0]!, wallet.balanceMinor));
    violations.push(...chainViolations(wallet.userId, rows, CHAINS[1]!, wallet.heldMinor));
  }
  return violations;
}

/**
 * Every transfer (a plain one or a hold's capture) has exactly one out leg and one in leg of
 * opposite, equal amounts. (Reversal legs are judged in reversal-checks.ts.)
 */
export function checkTransferLegs(history: History): Violation[] {
  const legs = new Map<string, LedgerRow[]>();
  for (const row of history.snapshot.transactions) {
    if (row.kind !== 'transfer_out' && row.kind !== 'transfer_in') continue;
    const key = row.transferId ?? `(row ${row.id} has no transfer id)`;
    legs.set(key, [...(legs.get(key) ?? []), row]);
  }
  const violations: Violation[] = [];
  for (const [transferId, rows] of legs) {
    const outs = rows.filter((row) => row.kind === 'transfer_out');
    const ins = rows.filter((row) => row.kind === 'transfer_in');
    const sumMinor = rows.reduce((sum, row) => sum + row.balanceChangeMinor, 0n);
    if (outs.length === 1 && ins.length === 1 && sumMinor === 0n) continue;
    violations.push({
      kind: 'transfer-legs',
      detail: `transfer ${transferId}: ${outs.length} out, ${ins.length} in, net ${sumMinor}`,
    });
  }
  return violations;
}

/**
 * Each ledger row must belong to an operation some client invoked (matched by idempotency key,
 * directly or through its transfer's other leg), or be the platform's expiry of a hold a client
 * created (a hold_release without a key). Anything else is money nobody asked to move.
 */
export function checkNoPhantoms(history: History): Violation[] {
  const keys = new Set<string>();
  for (const operation of history.operations) {
    if (operation.idempotencyKey !== undefined) keys.add(operation.idempotencyKey);
  }
  const claimedTransfers = new Set<string>();
  const claimedHolds = new Set<string>();
  for (const row of history.snapshot.transactions) {
    if (row.idempotencyKey === null || !keys.has(row.idempotencyKey)) continue;
    if (row.transferId !== null) claimedTransfers.add(row.transferId);
    if (row.kind === 'hold' && row.holdId !== null) claimedHolds.add(row.holdId);
  }
  const violations: Violation[] = [];
  for (const row of history.snapshot.transactions) {
    const byKey = row.idempotencyKey !== null && keys.has(row.idempotencyKey);
    const byTransfer = row.transferId !== null && claimedTransfers.has(row.transferId);
    const byExpiry =
      row.kind === 'hold_release' && row.idempotencyKey === null && claimedHolds.has(row.holdId ?? '');
    if (byKey || byTransfer || byExpiry) continue;
    violations.push({
      kind: 'phantom-movement',
      detail: `${row.kind} row ${row.id} of ${row.balanceChangeMinor} (key ${row.idempotencyKey}) matches no operation`,
      userId: row.userId,
    });
  }
  return violations;
}

/**
 * An acknowledged read must return a state the wallet really had: (0, 0) or one of its rows'
 * (new_balance, new_held), with available = balance − held.
 */
export function checkReads(history: History): Violation[] {
  const stateOf = (balanceMinor: bigint, heldMinor: bigint | undefined) =>
    `${balanceMinor}/${heldMinor ?? '?'}`;
  const states = new Map<string, Set<string>>();
  for (const row of history.snapshot.transactions) {
    const set = states.get(row.userId) ?? new Set<string>([stateOf(0n, 0n), stateOf(0n, undefined)]);
    set.add(stateOf(row.newBalanceMinor, row.newHeldMinor));
    set.add(stateOf(row.newBalanceMinor, undefined));
    states.set(row.userId, set);
  }
  const violations: Violation[] = [];
  for (const operation of history.operations) {
    if (operation.kind !== 'read' || operation.outcome !== 'ok') continue;
    const { balanceMinor, heldMinor, availableMinor } = operation.result ?? {};
    if (balanceMinor === undefined || operation.userId === undefined) continue;
    const seen = states.get(operation.userId) ?? new Set<string>([stateOf(0n, 0n), stateOf(0n, undefined)]);
    const consistent =
      availableMinor === undefined || heldMinor === undefined || availableMinor === balanceMinor - heldMinor;
    if (seen.has(stateOf(balanceMinor, heldMinor)) && consistent) continue;
    violations.push({
      kind: 'read-not-in-history',
      detail: `read #${operation.id} saw balance ${balanceMinor}, held ${heldMinor}, available ${availableMinor}: a state the wallet never had`,
      operationId: operation.id,
      userId: operation.userId,
    });
  }
  return violations;
}

/**
 * Every user (and every acknowledged createUser) has exactly one wallet; every wallet has a user.
 * Wallets are opened from the user-created event, so this proves the event path end to end.
 */
export function checkWallets(history: History): Violation[] {
  const walletCounts = new Map<string, number>();
  for (const wallet of history.snapshot.wallets) {
    walletCounts.set(wallet.userId, (walletCounts.get(wallet.userId) ?? 0) + 1);
  }
  const userIds = new Set(history.snapshot.users.map((user) => user.userId));
  for (const operation of history.operations) {
    const createdUserId = operation.result?.userId;
    if (operation.kind === 'create_user' && operation.outcome === 'ok' && createdUserId) {
      userIds.add(createdUserId);
    }
  }
  const violations: Violation[] = [];
  for (const userId of userIds) {
    const count = walletCounts.get(userId) ?? 0;
    if (count !== 1) violations.push({ kind: 'wallet-count', detail: `${count} wallets`, userId });
  }
  for (const userId of walletCounts.keys()) {
    if (!userIds.has(userId)) {
      violations.push({ kind: 'orphan-wallet', detail: 'a wallet with no user', userId });
    }
  }
  return violations;
}
