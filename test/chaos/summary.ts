import { countViolations } from './checker.ts';
import { type FailoverWindow, failoverFigures, failoverSection, hasHaFaults } from './failover-figures.ts';
import type {
  FaultWindow,
  Operation,
  OperationKind,
  Outcome,
  ReplicaCrashRecord,
  Snapshot,
  Violation,
} from './history.ts';

const KINDS: OperationKind[] = [
  'create_user',
  'deposit',
  'transfer',
  'read',
  'withdrawal',
  'hold',
  'capture',
  'void',
  'reverse_transfer',
  'reverse_deposit',
  'freeze',
  'unfreeze',
  'close',
];
const OUTCOMES: Outcome[] = ['ok', 'fail', 'info'];
const VIOLATION_DETAILS_SHOWN = 5;

function row(cells: (string | number)[], widths: number[]): string {
  return cells
    .map((cell, index) => String(cell).padEnd(widths[index] ?? 8))
    .join('  ')
    .trimEnd();
}

/** Operations by kind × outcome. */
export function operationTable(operations: readonly Operation[]): string {
  const widths = [18, 8, 8, 8, 8];
  const lines = [row(['operation', ...OUTCOMES, 'total'], widths)];
  for (const kind of KINDS) {
    const ofKind = operations.filter((operation) => operation.kind === kind);
    if (ofKind.length === 0) continue;
    const counts = OUTCOMES.map(
      (outcome) => ofKind.filter((operation) => operation.outcome === outcome).length,
    );
    lines.push(row([kind, ...counts, ofKind.length], widths));
  }
  return lines.join('\n');
}

/** Every HTTP attempt by status (or "no response") and problem code. */
export function attemptTable(operations: readonly Operation[]): string {
  const counts = new Map<string, number>();
  for (const operation of operations) {
    for (const attempt of operation.attempts) {
      const label =
        attempt.status === undefined
          ? `no response (${(attempt.error ?? '').split(':')[0]})`
          : `${attempt.status}${attempt.code ? ` ${attempt.code}` : ''}`;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((left, right) => right[1] - left[1])
    .map(([label, count]) => `  ${label.padEnd(48)} ${count}`)
    .join('\n');
}

/** What the run left in the ledger (rows by kind) and how its holds ended (holds by status). */
export function ledgerTable(snapshot: Pick<Snapshot, 'transactions' | 'holds'>): string {
  const tally = (labels: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    return [...counts.entries()].map(([label, count]) => `${label} ${count}`).join(', ');
  };
  return [
    `  rows by kind: ${tally(snapshot.transactions.map((row) => row.kind)) || 'none'}`,
    `  holds by status: ${tally(snapshot.holds.map((hold) => hold.status)) || 'none'}`,
  ].join('\n');
}

const secondsAfter = (atMs: number, runStartMs: number) => ((atMs - runStartMs) / 1000).toFixed(1);

/**
 * One line per fault kind, in the order the kinds first struck: how many, when each began
 * (seconds into the chaos phase), what it hit, and the shortest and longest time to heal.
 */
export function faultKindTable(faults: readonly FaultWindow[], runStartMs: number): string {
  if (faults.length === 0) return '  (none)';
  const byKind = new Map<string, FaultWindow[]>();
  for (const fault of faults) byKind.set(fault.kind, [...(byKind.get(fault.kind) ?? []), fault]);
  return [...byKind.entries()]
    .map(([kind, ofKind]) => {
      const healedMs = ofKind.map((fault) => fault.endedAtMs - fault.startedAtMs);
      const times = ofKind.map((fault) => `t+${secondsAfter(fault.startedAtMs, runStartMs)}`).join(', ');
      const targets = [...new Set(ofKind.map((fault) => fault.target))].join(', ');
      return `  ${kind.padEnd(18)} ${String(ofKind.length).padStart(3)}  healed in ${Math.min(...healedMs)}–${Math.max(...healedMs)} ms  on ${targets}  at ${times} s`;
    })
    .join('\n');
}

export function faultTable(faults: readonly FaultWindow[], runStartMs: number): string {
  if (faults.length === 0) return '  (none)';
  return faults
    .map((fault) => {
      const atS = secondsAfter(fault.startedAtMs, runStartMs);
      const healedMs = fault.endedAtMs - fault.startedAtMs;
      return `  t+${atS.padStart(6)} s  ${fault.kind.padEnd(18)} ${fault.target.padEnd(16)} healed in ${healedMs} ms`;
    })
    .join('\n');
}

export function violationTable(violations: readonly Violation[]): string {
  if (violations.length === 0) return '  none';
  const lines: string[] = [];
  for (const [kind, count] of countViolations(violations)) {
    lines.push(`  ${kind.padEnd(24)} ${count}`);
    for (const violation of violations
      .filter((candidate) => candidate.kind === kind)
      .slice(0, VIOLATION_DETAILS_SHOWN)) {
      lines.push(`    - ${violation.detail}${violation.userId ? ` [user ${violation.userId}]` : ''}`);
    }
  }
  return lines.join('\n');
}

export function formatSummary(report: {
  operations: readonly Operation[];
  faults: readonly FailoverWindow[];
  violations: readonly Violation[];
  chaosStartedAtMs: number;
  chaosDurationMs: number;
  crashes?: readonly ReplicaCrashRecord[];
  snapshot?: Pick<Snapshot, 'transactions' | 'holds'>;
}): string {
  const crashes = report.crashes ?? [];
  const chaosOperations = report.operations.filter(
    (operation) => operation.invokedAtMs >= report.chaosStartedAtMs,
  );
  const perSecond = (chaosOperations.length / (report.chaosDurationMs / 1000)).toFixed(1);
  return [
    `operations (${report.operations.length}; ${perSecond}/s during the chaos phase of ${(report.chaosDurationMs / 1000).toFixed(0)} s)`,
    operationTable(report.operations),
    '',
    'HTTP attempts',
    attemptTable(report.operations),
    '',
    ...(report.snapshot ? ['ledger after the run', ledgerTable(report.snapshot), ''] : []),
    `faults injected (${report.faults.length}), by kind`,
    faultKindTable(report.faults, report.chaosStartedAtMs),
    '',
    'faults in order',
    faultTable(report.faults, report.chaosStartedAtMs),
    '',
    ...report.faults
      .filter((fault) => fault.notHealed !== undefined)
      .flatMap((fault) => [`fault ${fault.kind} did NOT heal, no further faults: ${fault.notHealed}`, '']),
    ...(hasHaFaults(report.faults)
      ? [
          failoverSection(
            failoverFigures(report.operations, report.faults, report.violations),
            report.chaosStartedAtMs,
          ),
          '',
        ]
      : []),
    `replicas that crashed by themselves (${crashes.length})`,
    ...crashes.map(
      (crash) =>
        `  t+${((crash.atMs - report.chaosStartedAtMs) / 1000).toFixed(1).padStart(6)} s  ${crash.replica} (code ${crash.exitCode}, signal ${crash.signal})`,
    ),
    '',
    `violations (${report.violations.length})`,
    violationTable(report.violations),
  ].join('\n');
}
