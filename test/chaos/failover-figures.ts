import { CHECKER_OPTIONS_DEFAULT } from './checker.ts';
import type { Attempt, FaultWindow, Operation, OperationKind, Violation, ViolationKind } from './history.ts';
import type { FaultKind } from './nemesis.ts';

/**
 * How long writes stayed down when the PostgreSQL leader went away, read from the recorded
 * history alone (pure, like the checker): per HA fault, the time from the fault's start until the
 * first acknowledged money-moving operation whose first attempt started after it.
 *
 * A nemesis window's start is taken before the blow lands (finding the leader takes a REST call),
 * and a switchover leaves the old leader writing until it demotes: an operation sent in between
 * may be acknowledged by the old leader and would read as a failover of a few milliseconds. So
 * the acknowledging attempt must also have been sent once the blow had surely landed: after the
 * window's `struckAtMs` (the nemesis's word), or after the first write the fault made fail,
 * whichever came first.
 */
export type FailoverWindow = FaultWindow & {
  struckAtMs?: number;
  /** Why the fault did not heal (the nemesis stopped there): the run's stack was left broken. */
  notHealed?: string;
};

/** The operations that write to the primary (money moved or reserved); reads and sign-ups do not count. */
const WRITE_KINDS: ReadonlySet<OperationKind> = new Set<OperationKind>([
  'deposit',
  'transfer',
  'withdrawal',
  'hold',
  'capture',
  'void',
  'reverse_transfer',
  'reverse_deposit',
]);
const HA_KINDS: ReadonlySet<string> = new Set<FaultKind>([
  'kill-primary',
  'pause-primary',
  'switchover',
  'kill-etcd',
]);
/** The leader lost without warning: Patroni waits out the ttl, then promotes the standby. */
const FAILOVER_KINDS: ReadonlySet<string> = new Set<FaultKind>(['kill-primary', 'pause-primary']);
const SWITCHOVER_KIND: FaultKind = 'switchover';
/**
 * The checker's findings that an acknowledged write is not in the database as told: a money
 * operation not applied exactly once, a capture or void whose hold is not resolved, a sign-up
 * without its wallet.
 */
export const LOST_VIOLATION_KINDS: readonly ViolationKind[] = [
  'acked-not-applied-once',
  'hold-status-mismatch',
  'wallet-count',
];

export type WindowFigure = {
  fault: FailoverWindow;
  /** Fault start to the first acknowledgement; undefined when none came before the next fault. */
  writesBackAfterMs?: number;
};
export type Spread = { windows: number; measured: number; medianMs?: number; maxMs?: number };

export type FailoverFigures = {
  windows: WindowFigure[];
  /** kill-primary and pause-primary windows. */
  failovers: Spread;
  switchovers: Spread;
  lostAcknowledged: number;
  /** HTTP attempts answered 500, 502, 504…: a failover may cost 503s, never those. */
  serverErrorsNot503: number;
};

export function hasHaFaults(faults: readonly FaultWindow[]): boolean {
  return faults.some((fault) => HA_KINDS.has(fault.kind));
}

export function failoverFigures(
  operations: readonly Operation[],
  faults: readonly FailoverWindow[],
  violations: readonly Violation[],
): FailoverFigures {
  const writes = operations.filter((operation) => WRITE_KINDS.has(operation.kind));
  const failedWrites = writes.flatMap((operation) => operation.attempts.filter(failed));
  const ordered = [...faults].sort((left, right) => left.startedAtMs - right.startedAtMs);
  const windows = ordered.flatMap((fault, index) => {
    if (!HA_KINDS.has(fault.kind)) return [];
    const nextStartMs = ordered[index + 1]?.startedAtMs ?? Number.POSITIVE_INFINITY;
    return [{ fault, writesBackAfterMs: writesBackAfterMs(fault, nextStartMs, writes, failedWrites) }];
  });
  const lost = new Set(LOST_VIOLATION_KINDS);
  return {
    windows,
    failovers: spread(windows.filter((window) => FAILOVER_KINDS.has(window.fault.kind))),
    switchovers: spread(windows.filter((window) => window.fault.kind === SWITCHOVER_KIND)),
    lostAcknowledged: violations.filter((violation) => lost.has(violation.kind)).length,
    serverErrorsNot503: operations
      .flatMap((operation) => operation.attempts)
      .filter((attempt) => attempt.status !== undefined && attempt.status >= 500 && attempt.status !== 503)
      .length,
  };
}

/** No answer, or a 5xx that is not one of the 503s the platform answers with or without faults. */
function failed(attempt: Attempt): boolean {
  if (attempt.status === undefined) return true;
  if (attempt.status < 500) return false;
  return !(attempt.status === 503 && CHECKER_OPTIONS_DEFAULT.anytime503Codes.has(attempt.code ?? ''));
}

function writesBackAfterMs(
  fault: FailoverWindow,
  nextStartMs: number,
  writes: readonly Operation[],
  failedWrites: readonly Attempt[],
): number | undefined {
  let struckAtMs = fault.struckAtMs ?? fault.startedAtMs;
  for (const attempt of failedWrites) {
    if (attempt.startedAtMs >= fault.startedAtMs && attempt.endedAtMs < nextStartMs) {
      struckAtMs = Math.min(struckAtMs, attempt.endedAtMs);
    }
  }
  let firstAckMs = Number.POSITIVE_INFINITY;
  for (const operation of writes) {
    const first = operation.attempts[0];
    const acknowledging = operation.attempts.at(-1);
    if (operation.outcome !== 'ok' || !first || !acknowledging) continue;
    if (first.startedAtMs < fault.startedAtMs || acknowledging.startedAtMs < struckAtMs) continue;
    if (operation.completedAtMs >= nextStartMs) continue;
    firstAckMs = Math.min(firstAckMs, operation.completedAtMs);
  }
  return Number.isFinite(firstAckMs) ? firstAckMs - fault.startedAtMs : undefined;
}

function spread(windows: readonly WindowFigure[]): Spread {
  const figures = windows
    .map((window) => window.writesBackAfterMs)
    .filter((ms): ms is number => ms !== undefined)
    .sort((left, right) => left - right);
  const middle = Math.floor(figures.length / 2);
  const medianMs =
    figures.length === 0
      ? undefined
      : figures.length % 2 === 1
        ? figures[middle]
        : (figures[middle - 1]! + figures[middle]!) / 2;
  return { windows: windows.length, measured: figures.length, medianMs, maxMs: figures.at(-1) };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** The summary's "failovers" section. */
export function failoverSection(figures: FailoverFigures, runStartMs: number): string {
  const line = (label: string, of: Spread) =>
    `  ${label.padEnd(30)} ${of.measured} measured of ${of.windows}  median ${seconds(of.medianMs)}  max ${seconds(of.maxMs)}`;
  return [
    'failovers (fault start to the first write acknowledged after it)',
    line('kill-primary + pause-primary', figures.failovers),
    line('switchover', figures.switchovers),
    `  ${'acknowledged operations lost'.padEnd(30)} ${figures.lostAcknowledged}  (${LOST_VIOLATION_KINDS.join(', ')})`,
    `  ${'HTTP 5xx other than 503'.padEnd(30)} ${figures.serverErrorsNot503}`,
    ...figures.windows.map(
      ({ fault, writesBackAfterMs }) =>
        `  t+${((fault.startedAtMs - runStartMs) / 1000).toFixed(1).padStart(6)} s  ${fault.kind.padEnd(14)} ${fault.target.padEnd(12)} ${writesBackAfterMs === undefined ? 'no write acknowledged before the next fault' : `writes back after ${seconds(writesBackAfterMs)}`}`,
    ),
  ].join('\n');
}
