import type { DashboardReport } from './dashboard-bench.ts';
import type { PhaseReport, Spread } from './repetitions.ts';

/** Issue 11's targets; every figure is the median of the run's repetitions. */
export const TRANSFER_TO_PGBENCH_RATIO_MIN = 1.0;
export const TRANSFER_TO_PGBENCH_RATIO_AIM = 1.5;
export const TRANSFER_P99_MS_MAX = 25;
export const TRANSFER_P50_MS_MAX = 2;
export const ADD_MONEY_TO_PGBENCH_RATIO_MIN = 1.0;
export const GET_BALANCE_TO_PGBENCH_RATIO_MIN = 1.0;
export const CREATE_USER_TO_PGBENCH_RATIO_MIN = 0.5;
export const SERVICE_RSS_MB_MAX = 150;
/** Issue 11 item 5: the dashboard at 2,000 events/s. */
export const DASHBOARD_CPU_CORES_MAX = 0.25;
/** Keeping up: applies (nearly) all it is sent, each event on screen within a second of being sent. */
export const DASHBOARD_APPLIED_SHARE_MIN = 0.99;
export const DASHBOARD_EVENT_DELAY_P99_MS_MAX = 1_000;
/** Responsive: a key shows on screen within 100 ms (p99) while the events flow. */
export const DASHBOARD_KEY_TO_FRAME_P99_MS_MAX = 100;
export const DASHBOARD_FILTER_MS_MAX = 50;

export type TargetStatus = 'PASS' | 'MISS' | 'not measured';
export type TargetCheck = { name: string; value: string; wanted: string; status: TargetStatus };

export type TargetInputs = {
  phases: PhaseReport[];
  pgbenchTps: Spread | undefined;
  peakRssMb: Record<string, number | undefined>;
  dashboard: DashboardReport | undefined;
};

const NOT_MEASURED = 'not measured';

function check(
  name: string,
  wanted: string,
  measured: { value: string; pass: boolean } | undefined,
): TargetCheck {
  return measured
    ? { name, wanted, value: measured.value, status: measured.pass ? 'PASS' : 'MISS' }
    : { name, wanted, value: NOT_MEASURED, status: NOT_MEASURED };
}

export function checkTargets(inputs: TargetInputs): TargetCheck[] {
  const phase = (name: string, clients: number) =>
    inputs.phases.find((candidate) => candidate.name === name && candidate.clients === clients);
  const tps = inputs.pgbenchTps?.median;
  const ratio = (name: string, clients: number, min: number, aim?: number): TargetCheck => {
    const found = phase(name, clients);
    const wanted = `≥ ${min.toFixed(1)} × pgbench${aim ? ` (aim ${aim.toFixed(1)})` : ''}`;
    return check(
      `${name}/s @${clients} ÷ pgbench tps @16`,
      wanted,
      found && tps
        ? {
            value: `${found.throughputPerS.median.toFixed(0)} / ${tps.toFixed(0)} = ${(found.throughputPerS.median / tps).toFixed(2)}`,
            pass: found.throughputPerS.median / tps >= min,
          }
        : undefined,
    );
  };
  const latency = (clients: number, percentile: 'p50Ms' | 'p99Ms', max: number): TargetCheck => {
    const found = phase('transferMoney', clients)?.latency[percentile];
    return check(
      `transferMoney ${percentile.slice(0, 3)} @${clients}`,
      `≤ ${max} ms`,
      found && { value: `${found.median.toFixed(1)} ms`, pass: found.median <= max },
    );
  };
  const checks: TargetCheck[] = [
    ratio('transferMoney', 64, TRANSFER_TO_PGBENCH_RATIO_MIN, TRANSFER_TO_PGBENCH_RATIO_AIM),
    latency(64, 'p99Ms', TRANSFER_P99_MS_MAX),
    latency(1, 'p50Ms', TRANSFER_P50_MS_MAX),
    ratio('addMoney', 16, ADD_MONEY_TO_PGBENCH_RATIO_MIN),
    ratio('getBalance', 16, GET_BALANCE_TO_PGBENCH_RATIO_MIN),
    ratio('createUser', 16, CREATE_USER_TO_PGBENCH_RATIO_MIN),
  ];
  for (const service of ['transactions-service', 'user-service']) {
    const rssMb = inputs.peakRssMb[service];
    checks.push(
      check(
        `${service} peak RSS`,
        `≤ ${SERVICE_RSS_MB_MAX} MB`,
        rssMb === undefined
          ? undefined
          : { value: `${rssMb.toFixed(0)} MB`, pass: rssMb <= SERVICE_RSS_MB_MAX },
      ),
    );
  }
  return [...checks, ...dashboardChecks(inputs.dashboard)];
}

function dashboardChecks(dashboard: DashboardReport | undefined): TargetCheck[] {
  const at = dashboard ? `@${dashboard.eventsPerSTarget} events/s` : '@2000 events/s';
  const measured = <T>(compute: (report: DashboardReport) => T) =>
    dashboard ? compute(dashboard) : undefined;
  return [
    check(
      `dashboard CPU ${at}`,
      `≤ ${DASHBOARD_CPU_CORES_MAX} core`,
      measured(({ cpuCores }) => ({
        value: `${cpuCores.median.toFixed(3)} core`,
        pass: cpuCores.median <= DASHBOARD_CPU_CORES_MAX,
      })),
    ),
    check(
      `dashboard keeps up ${at}`,
      `≥ ${DASHBOARD_APPLIED_SHARE_MIN * 100}% applied, delay p99 ≤ ${DASHBOARD_EVENT_DELAY_P99_MS_MAX} ms`,
      measured(({ eventsAppliedPerS, producedPerS, eventDelayP99Ms }) => {
        const share = eventsAppliedPerS.median / producedPerS.median;
        return {
          value: `${(share * 100).toFixed(1)}% applied, delay p99 ${eventDelayP99Ms.median.toFixed(0)} ms`,
          pass:
            share >= DASHBOARD_APPLIED_SHARE_MIN &&
            eventDelayP99Ms.median <= DASHBOARD_EVENT_DELAY_P99_MS_MAX,
        };
      }),
    ),
    check(
      `dashboard key → frame p99 ${at}`,
      `≤ ${DASHBOARD_KEY_TO_FRAME_P99_MS_MAX} ms`,
      measured(({ keyToFrameP99Ms }) => ({
        value: `${keyToFrameP99Ms.median.toFixed(0)} ms`,
        pass: keyToFrameP99Ms.median <= DASHBOARD_KEY_TO_FRAME_P99_MS_MAX,
      })),
    ),
    check(
      `dashboard filter ${dashboard?.wallets ?? 100000} wallets, key → frame`,
      `< ${DASHBOARD_FILTER_MS_MAX} ms`,
      measured(({ filterKeyToFrameMaxMs }) => ({
        value: `${filterKeyToFrameMaxMs.median.toFixed(1)} ms`,
        pass: filterKeyToFrameMaxMs.median < DASHBOARD_FILTER_MS_MAX,
      })),
    ),
  ];
}

export function countTargets(checks: readonly TargetCheck[]): Record<TargetStatus, number> {
  const counts: Record<TargetStatus, number> = { PASS: 0, MISS: 0, 'not measured': 0 };
  for (const { status } of checks) counts[status] += 1;
  return counts;
}
