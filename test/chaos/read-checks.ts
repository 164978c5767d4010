import type { Attempt, History, LedgerRow, Operation, Violation } from './history.ts';
import { rowsByUser } from './ledger-checks.ts';

/**
 * Fresh reads (linearizable single-wallet reads). A wallet's ledger rows, in seq order, are its
 * commit order: state k is the wallet after row k (state 0 is the empty wallet). A read answered
 * in [startMs, endMs] must return a state k with
 * - k ≥ every row whose write was acknowledged before the read started (the commit happened
 *   before the answer, the answer before the read was sent), and ≥ the state any earlier read on
 *   the wallet saw if that read was answered before this one started (monotonic reads);
 * - k ≤ the last row before the first one whose write was invoked after the read was answered
 *   (a write not sent yet cannot be seen).
 * Rows with no client operation (a hold's expiry) may land at any time: they bound nothing.
 * Every time here is the workload's own clock (Date.now() in one process), compared strictly,
 * so equal milliseconds never count as "before": the check may miss, never invent, a violation.
 * A read of a state the wallet never had is checkReads' finding, not repeated here.
 */
export function checkFreshReads(history: History): Violation[] {
  const timings = rowTimings(history);
  const readsByUser = new Map<string, Operation[]>();
  for (const operation of history.operations) {
    if (operation.kind !== 'read' || operation.outcome !== 'ok' || operation.userId === undefined) continue;
    if (operation.result?.balanceMinor === undefined || answeredAttempt(operation) === undefined) continue;
    readsByUser.set(operation.userId, [...(readsByUser.get(operation.userId) ?? []), operation]);
  }
  const rows = rowsByUser(history.snapshot.transactions);
  const violations: Violation[] = [];
  for (const [userId, reads] of readsByUser) {
    violations.push(...walletReadViolations(userId, rows.get(userId) ?? [], reads, timings));
  }
  return violations;
}

/** When a row's write was sent (undefined: any time) and acknowledged (undefined: never). */
type RowTiming = { invokedAtMs?: number; ackedAtMs?: number };

/**
 * Each row's operation, by the row's idempotency key, or (a transfer's, capture's or reversal's
 * receiving leg, which carries no key) by the key on the other leg of the same transfer.
 */
function rowTimings(history: History): Map<string, RowTiming> {
  const byKey = new Map<string, Operation>();
  for (const operation of history.operations) {
    if (operation.idempotencyKey !== undefined) byKey.set(operation.idempotencyKey, operation);
  }
  const keyOfTransfer = new Map<string, string>();
  for (const row of history.snapshot.transactions) {
    if (row.transferId !== null && row.idempotencyKey !== null)
      keyOfTransfer.set(row.transferId, row.idempotencyKey);
  }
  const timings = new Map<string, RowTiming>();
  for (const row of history.snapshot.transactions) {
    const key =
      row.idempotencyKey ?? (row.transferId === null ? undefined : keyOfTransfer.get(row.transferId));
    const operation = key === undefined ? undefined : byKey.get(key);
    if (!operation) continue;
    timings.set(row.id, {
      invokedAtMs: operation.invokedAtMs,
      ackedAtMs: operation.outcome === 'ok' ? operation.completedAtMs : undefined,
    });
  }
  return timings;
}

/** The attempt that was answered 2xx: its request is the read that was served. */
function answeredAttempt(operation: Operation): Attempt | undefined {
  return operation.attempts.findLast(
    (attempt) => attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300,
  );
}

type ReadWindow = { operation: Operation; startMs: number; endMs: number };
/** The least state an answered read saw, known from when it was answered. */
type SeenFloor = { endMs: number; seq: number };

/**
 * One wallet's states, indexed so each read costs a few lookups and binary searches (a long run
 * has tens of thousands of rows and reads per wallet): which seqs hold a (balance, held) pair or a
 * balance, and the latest invocation among rows 1..k.
 */
type WalletStates = { seqsByState: Map<string, number[]>; invokedMaxMs: number[] };

const stateKey = (balanceMinor: bigint, heldMinor: bigint | undefined) =>
  `${balanceMinor}/${heldMinor ?? '?'}`;

function indexStates(rows: readonly LedgerRow[], timings: ReadonlyMap<string, RowTiming>): WalletStates {
  const seqsByState = new Map<string, number[]>();
  const add = (key: string, seq: number) => seqsByState.set(key, [...(seqsByState.get(key) ?? []), seq]);
  const invokedMaxMs: number[] = [];
  let latestMs = Number.NEGATIVE_INFINITY;
  add(stateKey(0n, 0n), 0);
  add(stateKey(0n, undefined), 0);
  rows.forEach((row, index) => {
    add(stateKey(row.newBalanceMinor, row.newHeldMinor), index + 1);
    add(stateKey(row.newBalanceMinor, undefined), index + 1);
    latestMs = Math.max(latestMs, timings.get(row.id)?.invokedAtMs ?? Number.NEGATIVE_INFINITY);
    invokedMaxMs.push(latestMs);
  });
  return { seqsByState, invokedMaxMs };
}

function walletReadViolations(
  userId: string,
  rows: readonly LedgerRow[],
  reads: readonly Operation[],
  timings: ReadonlyMap<string, RowTiming>,
): Violation[] {
  const windows: ReadWindow[] = reads.map((operation) => {
    const attempt = answeredAttempt(operation)!;
    return { operation, startMs: attempt.startedAtMs, endMs: attempt.endedAtMs };
  });
  windows.sort((left, right) => left.startMs - right.startMs);
  const ackedFloors: SeenFloor[] = [];
  rows.forEach((row, index) => {
    const ackedAtMs = timings.get(row.id)?.ackedAtMs;
    if (ackedAtMs !== undefined) ackedFloors.push({ endMs: ackedAtMs, seq: index + 1 });
  });
  const floors = new FloorsBefore(ackedFloors);
  const states = indexStates(rows, timings);
  const violations: Violation[] = [];
  for (const window of windows) {
    const lowSeq = floors.maxBefore(window.startMs);
    const highSeq = lastVisibleSeq(states, window.endMs);
    const { balanceMinor, heldMinor } = window.operation.result!;
    const seen = states.seqsByState.get(stateKey(balanceMinor!, heldMinor)) ?? [];
    const inWindow = seen[firstAtLeast(seen, lowSeq)];
    if (inWindow !== undefined && inWindow <= highSeq) {
      floors.add({ endMs: window.endMs, seq: inWindow });
      continue;
    }
    // Never a state of the wallet: checkReads reports it.
    if (seen.length === 0) continue;
    violations.push(windowViolation(userId, window, seen, lowSeq, highSeq));
  }
  return violations;
}

/** The index of the first element ≥ `value` in an ascending list (its length when none is). */
function firstAtLeast(ascending: readonly number[], value: number): number {
  let low = 0;
  let high = ascending.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ascending[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The last state a read answered at `endMs` could see: the state before the first row whose
 * write was sent after `endMs` (all rows when none was), found by binary search over the running
 * latest invocation, which only grows.
 */
function lastVisibleSeq(states: WalletStates, endMs: number): number {
  const { invokedMaxMs } = states;
  let low = 0;
  let high = invokedMaxMs.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (invokedMaxMs[middle]! <= endMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

function windowViolation(
  userId: string,
  window: ReadWindow,
  seen: readonly number[],
  lowSeq: number,
  highSeq: number,
): Violation {
  const { operation } = window;
  const told = `balance ${operation.result?.balanceMinor}, held ${operation.result?.heldMinor ?? '?'}`;
  const where = `read #${operation.id} [${window.startMs}, ${window.endMs}] saw ${told} (state ${seen.join('/')})`;
  if (seen[0]! > highSeq) {
    return {
      kind: 'read-of-future-write',
      detail: `${where}, but state ${seen[0]} was written by a request sent after the answer (latest possible ${highSeq})`,
      operationId: operation.id,
      userId,
    };
  }
  return {
    kind: 'stale-read',
    detail: `${where}, but state ${lowSeq} was acknowledged (or read) before the read began`,
    operationId: operation.id,
    userId,
  };
}

/**
 * Floors known at given times (an acknowledged write's row, an answered read's state), asked for
 * the highest one known strictly before a time. Asked in ascending time; floors added later must
 * be known no earlier than the last time asked (an answered read ends after it started).
 */
class FloorsBefore {
  readonly #pending: SeenFloor[];
  #highSeq = 0;

  constructor(floors: readonly SeenFloor[]) {
    this.#pending = [...floors].sort((left, right) => right.endMs - left.endMs);
  }

  add(floor: SeenFloor): void {
    // Kept sorted by time, latest first, so the earliest is popped from the end.
    const index = this.#pending.findIndex((pending) => pending.endMs <= floor.endMs);
    this.#pending.splice(index === -1 ? this.#pending.length : index, 0, floor);
  }

  maxBefore(timeMs: number): number {
    while (this.#pending.length > 0 && this.#pending.at(-1)!.endMs < timeMs) {
      this.#highSeq = Math.max(this.#highSeq, this.#pending.pop()!.seq);
    }
    return this.#highSeq;
  }
}
