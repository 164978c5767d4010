import type { History, LedgerRow, Operation, Violation } from './history.ts';

/** Ledger rows that take money out of a wallet, which a frozen wallet must refuse. */
const MONEY_OUT: ReadonlySet<LedgerRow['kind']> = new Set(['withdrawal', 'transfer_out', 'hold']);

/** A stretch of client time in which a wallet was certainly frozen. */
type FrozenInterval = { fromMs: number; toMs: number; freezeId: number };

/**
 * From the client's clock alone: an acknowledged freeze had committed by the time its answer came
 * back, and no unfreeze can have committed before the first unfreeze (of any client, any outcome)
 * that was still running after the freeze was sent. Between those two moments the wallet was frozen.
 */
function frozenIntervals(operations: readonly Operation[]): Map<string, FrozenInterval[]> {
  const unfreezes = operations.filter((operation) => operation.kind === 'unfreeze');
  const byUser = new Map<string, FrozenInterval[]>();
  for (const freeze of operations) {
    if (freeze.kind !== 'freeze' || freeze.outcome !== 'ok' || freeze.userId === undefined) continue;
    let toMs = Number.POSITIVE_INFINITY;
    for (const unfreeze of unfreezes) {
      if (unfreeze.userId !== freeze.userId || unfreeze.completedAtMs < freeze.invokedAtMs) continue;
      toMs = Math.min(toMs, unfreeze.invokedAtMs);
    }
    if (toMs <= freeze.completedAtMs) continue;
    const list = byUser.get(freeze.userId) ?? [];
    list.push({ fromMs: freeze.completedAtMs, toMs, freezeId: freeze.id });
    byUser.set(freeze.userId, list);
  }
  return byUser;
}

/**
 * No money left a wallet while it was certainly frozen: no withdrawal, transfer, capture or hold
 * from it by an operation sent and answered wholly inside a frozen interval. (Reversals are
 * operator corrections and may take money from a frozen wallet; money in always lands.)
 */
export function checkFrozenWallets(history: History): Violation[] {
  const intervals = frozenIntervals(history.operations);
  if (intervals.size === 0) return [];
  const byKey = new Map<string, Operation>();
  for (const operation of history.operations) {
    if (operation.idempotencyKey !== undefined) byKey.set(operation.idempotencyKey, operation);
  }
  const violations: Violation[] = [];
  for (const row of history.snapshot.transactions) {
    if (!MONEY_OUT.has(row.kind) || row.idempotencyKey === null) continue;
    const operation = byKey.get(row.idempotencyKey);
    if (!operation) continue;
    const inside = (intervals.get(row.userId) ?? []).find(
      (interval) => operation.invokedAtMs >= interval.fromMs && operation.completedAtMs <= interval.toMs,
    );
    if (!inside) continue;
    violations.push({
      kind: 'frozen-wallet-paid',
      detail: `${row.kind} row ${row.id} of ${operation.kind} #${operation.id} while frozen by freeze #${inside.freezeId}`,
      operationId: operation.id,
      userId: row.userId,
    });
  }
  return violations;
}

/**
 * A closed wallet stays closed, empty and still: an acknowledged close leaves the wallet closed
 * with nothing in it or held, and no operation sent after the close was answered moved money in
 * or out of it.
 */
export function checkClosedWallets(history: History): Violation[] {
  const closedAtMs = new Map<string, number>();
  for (const operation of history.operations) {
    if (operation.kind !== 'close' || operation.outcome !== 'ok' || operation.userId === undefined) continue;
    closedAtMs.set(
      operation.userId,
      Math.min(closedAtMs.get(operation.userId) ?? Infinity, operation.completedAtMs),
    );
  }
  const violations: Violation[] = [];
  for (const wallet of history.snapshot.wallets) {
    if (!closedAtMs.has(wallet.userId) && wallet.status !== 'closed') continue;
    if (wallet.status === 'closed' && wallet.balanceMinor === 0n && wallet.heldMinor === 0n) continue;
    violations.push({
      kind: 'closed-wallet-moved',
      detail: `closed wallet is ${wallet.status} with balance ${wallet.balanceMinor}, held ${wallet.heldMinor}`,
      userId: wallet.userId,
    });
  }
  const byKey = new Map<string, Operation>();
  for (const operation of history.operations) {
    if (operation.idempotencyKey !== undefined) byKey.set(operation.idempotencyKey, operation);
  }
  for (const row of history.snapshot.transactions) {
    const closedMs = closedAtMs.get(row.userId);
    const operation = row.idempotencyKey === null ? undefined : byKey.get(row.idempotencyKey);
    if (closedMs === undefined || !operation || operation.invokedAtMs < closedMs) continue;
    violations.push({
      kind: 'closed-wallet-moved',
      detail: `${row.kind} row ${row.id} of ${operation.kind} #${operation.id}, sent after the wallet was closed`,
      operationId: operation.id,
      userId: row.userId,
    });
  }
  return violations;
}
