import type { History, LedgerRow, Violation } from './history.ts';

function rowsByUser(rows: readonly LedgerRow[]): Map<string, LedgerRow[]> {
  const byUser = new Map<string, LedgerRow[]>();
  for (const row of rows) {
    const list = byUser.get(row.userId) ?? [];
    list.push(row);
    byUser.set(row.userId, list);
  }
  for (const list of byUser.values()) list.sort((left, right) => (left.seq < right.seq ? -1 : 1));
  return byUser;
}

/**
 * Each wallet's rows, in commit order (seq), must chain from 0: every old_balance is the previous
 * new_balance, every new_balance is old + change, and the last one is the wallet's balance. A lost
 * update shows here as two rows starting from the same old_balance.
 */
export function checkChains(history: History): Violation[] {
  const violations: Violation[] = [];
  const byUser = rowsByUser(history.snapshot.transactions);
  for (const wallet of history.snapshot.wallets) {
    let expectedMinor = 0n;
    for (const row of byUser.get(wallet.userId) ?? []) {
      if (row.oldBalanceMinor !== expectedMinor) {
        violations.push({
          kind: 'chain-broken',
          detail: `row ${row.id} (seq ${row.seq}) old_balance ${row.oldBalanceMinor}, previous new_balance ${expectedMinor}`,
          userId: wallet.userId,
        });
      }
      if (row.newBalanceMinor !== row.oldBalanceMinor + row.balanceChangeMinor) {
        violations.push({
          kind: 'chain-broken',
          detail: `row ${row.id} new_balance ${row.newBalanceMinor} ≠ ${row.oldBalanceMinor} + ${row.balanceChangeMinor}`,
          userId: wallet.userId,
        });
      }
      expectedMinor = row.newBalanceMinor;
    }
    if (wallet.balanceMinor !== expectedMinor) {
      violations.push({
        kind: 'balance-mismatch',
        detail: `balance ${wallet.balanceMinor}, last new_balance ${expectedMinor}`,
        userId: wallet.userId,
      });
    }
  }
  return violations;
}

/** Every transfer has exactly one out leg and one in leg of opposite, equal amounts. */
export function checkTransferLegs(history: History): Violation[] {
  const legs = new Map<string, LedgerRow[]>();
  for (const row of history.snapshot.transactions) {
    if (row.kind === 'deposit') continue;
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
 * Each money movement in the ledger must belong to an operation some client invoked (matched by
 * idempotency key); anything else is money nobody asked to move.
 */
export function checkNoPhantoms(history: History): Violation[] {
  const keys = new Set<string>();
  for (const operation of history.operations) {
    if (operation.idempotencyKey !== undefined) keys.add(operation.idempotencyKey);
  }
  const claimedTransfers = new Set<string>();
  for (const row of history.snapshot.transactions) {
    if (row.transferId !== null && row.idempotencyKey !== null && keys.has(row.idempotencyKey)) {
      claimedTransfers.add(row.transferId);
    }
  }
  const violations: Violation[] = [];
  for (const row of history.snapshot.transactions) {
    const claimed =
      row.kind === 'deposit'
        ? row.idempotencyKey !== null && keys.has(row.idempotencyKey)
        : row.transferId !== null && claimedTransfers.has(row.transferId);
    if (claimed) continue;
    violations.push({
      kind: 'phantom-movement',
      detail: `${row.kind} row ${row.id} of ${row.balanceChangeMinor} (key ${row.idempotencyKey}) matches no operation`,
      userId: row.userId,
    });
  }
  return violations;
}

/** An acknowledged read must return a balance the wallet really had: 0 or one of its new_balances. */
export function checkReads(history: History): Violation[] {
  const states = new Map<string, Set<bigint>>();
  for (const row of history.snapshot.transactions) {
    const set = states.get(row.userId) ?? new Set<bigint>([0n]);
    set.add(row.newBalanceMinor);
    states.set(row.userId, set);
  }
  const violations: Violation[] = [];
  for (const operation of history.operations) {
    if (operation.kind !== 'read' || operation.outcome !== 'ok') continue;
    const readMinor = operation.result?.balanceMinor;
    if (readMinor === undefined || operation.userId === undefined) continue;
    const seen = states.get(operation.userId) ?? new Set<bigint>([0n]);
    if (seen.has(readMinor)) continue;
    violations.push({
      kind: 'read-not-in-history',
      detail: `read #${operation.id} saw ${readMinor}, a balance the wallet never had`,
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
