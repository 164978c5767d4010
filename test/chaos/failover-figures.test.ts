import { describe, expect, it } from 'vitest';
import { type FailoverWindow, failoverFigures, failoverSection, hasHaFaults } from './failover-figures.ts';
import type { Attempt, Operation, OperationKind, Violation } from './history.ts';
import { formatSummary } from './summary.ts';

// Hand-made histories, times in ms from 0: each case puts one acknowledgement just outside a rule
// (too early, by the old leader, a read, past the next fault) and shows the figure ignores it.

let lastId = 0;

/** One operation; each attempt is [startedAtMs, endedAtMs, status?]; its outcome follows the last. */
function operation(kind: OperationKind, ...attempts: [number, number, number?][]): Operation {
  const recorded: Attempt[] = attempts.map(([startedAtMs, endedAtMs, status]) => ({
    startedAtMs,
    endedAtMs,
    status,
    code: status === 503 ? 'DATABASE_UNAVAILABLE' : undefined,
  }));
  const last = recorded.at(-1)!;
  const ok = last.status !== undefined && last.status < 300;
  return {
    id: ++lastId,
    client: 0,
    kind,
    idempotencyKey: `key-${lastId}`,
    invokedAtMs: recorded[0]!.startedAtMs,
    completedAtMs: last.endedAtMs,
    outcome: ok ? 'ok' : 'info',
    attempts: recorded,
  };
}

const window = (
  kind: string,
  startedAtMs: number,
  endedAtMs: number,
  struckAtMs?: number,
): FailoverWindow => ({
  kind,
  target: kind === 'kill-etcd' ? 'etcd1' : 'pg1',
  startedAtMs,
  endedAtMs,
  struckAtMs,
});

describe('failover figures', () => {
  it('given a primary killed at 10 s, when writes resume, then the figure runs from the fault start to the first write acknowledged by the new leader', () => {
    // Given: the kill starts at 10 000 and has surely landed at 10 050
    const faults = [window('kill-primary', 10_000, 30_000, 10_050)];
    const operations = [
      // acknowledged by the old leader just before the blow: sent after the start, not after the blow
      operation('transfer', [10_010, 10_040, 200]),
      // sent before the fault, acknowledged after it: not a write of the fault's time
      operation('deposit', [9_000, 9_010, 503], [21_000, 21_050, 200]),
      // a read served early: reads do not count
      operation('read', [12_000, 12_010, 200]),
      // 503 through the outage, retried under its key until the new leader acknowledges it
      operation('withdrawal', [10_020, 10_030, 503], [25_000, 25_100, 200]),
      // the first write acknowledged after the failover
      operation('hold', [24_500, 24_600, 201]),
    ];

    // When
    const figures = failoverFigures(operations, faults, []);

    // Then
    expect(figures.windows.map((figure) => figure.writesBackAfterMs)).toEqual([14_600]);
    expect(figures.failovers).toEqual({ windows: 1, measured: 1, medianMs: 14_600, maxMs: 14_600 });
    expect(figures.switchovers).toEqual({ windows: 0, measured: 0, medianMs: undefined, maxMs: undefined });
  });

  it('given a switchover whose old leader writes on for a moment, when a write first fails, then only writes sent after that failure count', () => {
    // Given: the switchover returned at 43 000, but the first failed write ended at 40 700
    const faults = [window('switchover', 40_000, 44_000, 43_000)];
    const operations = [
      // the old leader, before it demoted
      operation('transfer', [40_100, 40_300, 200]),
      operation('deposit', [40_500, 40_700, 503], [41_500, 41_600, 200]),
      // sent after the failure: the new leader
      operation('transfer', [41_000, 41_200, 200]),
    ];

    // When
    const figures = failoverFigures(operations, faults, []);

    // Then
    expect(figures.switchovers).toEqual({ windows: 1, measured: 1, medianMs: 1_200, maxMs: 1_200 });
  });

  it('given several faults, when the figures are summed up, then failovers and switchovers are apart, a fault with no write before the next is not measured, and etcd faults are listed only', () => {
    // Given
    const faults = [
      window('kill-primary', 0, 20_000, 10),
      window('pause-primary', 30_000, 60_000, 30_020),
      window('switchover', 70_000, 75_000, 72_000),
      window('kill-transactions', 80_000, 82_000),
      window('pause-primary', 90_000, 110_000, 90_010),
      window('kill-etcd', 120_000, 124_000, 120_005),
    ];
    const operations = [
      operation('transfer', [13_000, 13_100, 200]),
      operation('capture', [41_900, 42_000, 200]),
      operation('void', [72_500, 72_600, 200]),
      // acknowledged only after the next fault started: not this pause's figure
      operation('deposit', [100_000, 125_000, 200]),
      operation('deposit', [120_010, 120_100, 200]),
    ];

    // When
    const figures = failoverFigures(operations, faults, []);

    // Then
    expect(figures.windows.map((figure) => [figure.fault.kind, figure.writesBackAfterMs])).toEqual([
      ['kill-primary', 13_100],
      ['pause-primary', 12_000],
      ['switchover', 2_600],
      ['pause-primary', undefined],
      ['kill-etcd', 100],
    ]);
    expect(figures.failovers).toEqual({ windows: 3, measured: 2, medianMs: 12_550, maxMs: 13_100 });
    expect(figures.switchovers).toEqual({ windows: 1, measured: 1, medianMs: 2_600, maxMs: 2_600 });
    expect(failoverSection(figures, 0)).toContain('no write acknowledged before the next fault');
  });

  it('given lost writes and server errors, when counted, then only lost-write violations and 5xx other than 503 count', () => {
    // Given
    const operations = [
      operation(
        'transfer',
        [1_000, 1_010, 500],
        [1_100, 1_110, 503],
        [1_200, 1_210, 502],
        [1_300, 1_310, 200],
      ),
      operation('read', [2_000, 2_010, 504], [2_100, 2_110, 200]),
    ];
    const violations: Violation[] = [
      { kind: 'acked-not-applied-once', detail: 'deposit acknowledged, applied 0×' },
      { kind: 'hold-status-mismatch', detail: 'capture acknowledged, the hold is pending' },
      { kind: 'wallet-count', detail: '0 wallets' },
      { kind: 'stale-read', detail: 'not a lost write' },
      { kind: 'unexpected-5xx', detail: 'counted from the attempts, not here' },
    ];

    // When
    const figures = failoverFigures(operations, [window('kill-primary', 500, 5_000, 510)], violations);

    // Then
    expect(figures.lostAcknowledged).toBe(3);
    expect(figures.serverErrorsNot503).toBe(3);
  });

  it('given a run without HA faults, when summed up, then the summary has no failovers section; with one, it has', () => {
    // Given
    const operations = [operation('transfer', [1_000, 1_010, 200])];
    const summary = (faults: FailoverWindow[]) =>
      formatSummary({ operations, faults, violations: [], chaosStartedAtMs: 0, chaosDurationMs: 10_000 });

    // Then
    expect(hasHaFaults([window('kill-postgres', 0, 1_000)])).toBe(false);
    expect(summary([window('kill-postgres', 0, 1_000)])).not.toContain('failovers');
    expect(summary([window('switchover', 500, 2_000, 600)])).toMatch(
      /failovers[^\n]*\n[^\n]*\n {2}switchover +1 measured of 1 {2}median 0\.5 s/,
    );
  });
});
