import type { DashboardReport } from './dashboard-bench.ts';
import { KEY_INTERVAL_MS, TYPING_INTERVAL_MS } from './dashboard-protocol.ts';
import type { PgbenchRun } from './pgbench.ts';
import type { PostgresSettings } from './postgres-settings.ts';
import type { PhaseReport, Spread } from './repetitions.ts';
import type { Commit, Machine } from './run-info.ts';
import type { TargetCheck, TargetStatus } from './targets.ts';

export type PgbenchReport = {
  scale: number;
  clients: number;
  threads: number;
  durationS: number;
  runs: PgbenchRun[];
  tps: Spread;
  latencyAverageMs: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  failedCount: number;
};

/** Everything one `npm run bench` measured, as bench/results.json holds it. */
export type BenchResults = {
  startedAt: string;
  finishedAt: string;
  commit: Commit;
  machine: Machine;
  /** Read from the server with SHOW, not assumed. */
  postgres: PostgresSettings & { durable: boolean };
  settings: { phaseDurationS: number; repeat: number; dashboardDurationS: number; phases: string[] };
  /**
   * How the services ran: compiled or from source, node flags, database pool size (per replica),
   * and how many processes of each (above 1: behind HAProxy, through PgBouncer).
   */
  services: { script: string; nodeFlags: string[]; poolSize: number; replicas: number };
  phases: PhaseReport[];
  pgbench?: PgbenchReport;
  /** pgbench at the p99 target's 64 clients: PostgreSQL alone at that concurrency, not a yardstick. */
  pgbenchReference?: PgbenchReport;
  /** Resident memory a moment after start, before any load. */
  idleRssMb: Record<string, number | undefined>;
  /** Highest resident memory over the whole run (VmHWM). */
  peakRssMb: Record<string, number | undefined>;
  dashboard?: DashboardReport;
  targets: TargetCheck[];
  summary: Record<TargetStatus, number>;
};

/**
 * A Markdown table laid out the way the repository's formatter lays it out (cells padded to the
 * column width), so a freshly written results.md passes `biome check` as it is.
 */
export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(3, cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells
      .map((cell, column) =>
        rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join(' | ')} |`;
  const separator = widths.map((width, column) =>
    rightAligned[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
  );
  return [line(header), `| ${separator.join(' | ')} |`, ...rows.map(line)];
}

export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
/** "1234 (1180–1290)": the median, then the lowest and highest run. */
const spreadText = (spread: Spread, digits = 1) =>
  spread.runs.length > 1
    ? `${fixed(spread.median, digits)} (${fixed(spread.min, digits)}–${fixed(spread.max, digits)})`
    : fixed(spread.median, digits);
const CHANGED_PATHS_SHOWN = 8;

export function targetLine(check: TargetCheck): string {
  const mark = check.status === 'not measured' ? '----' : check.status;
  return `${mark.padEnd(4)}  ${check.name}: ${check.value} (wanted ${check.wanted})`;
}

export function summaryLine(results: BenchResults): string {
  const { PASS, MISS } = results.summary;
  const skipped = results.summary['not measured'];
  return `bench ${results.commit.id}: ${PASS} PASS, ${MISS} MISS${skipped ? `, ${skipped} not measured` : ''} of ${results.targets.length} targets`;
}

function topology(replicas: number): string {
  return replicas > 1
    ? `${replicas} replicas of each service behind HAProxy, PgBouncer transaction pooling (idle and peak RSS: the largest replica)`
    : 'one replica of each service, straight to PostgreSQL';
}

export function machineText(machine: Machine): string {
  return `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}; load average (1 min) ${fixed(machine.loadAverage1m.start, 2)} at the start, ${fixed(machine.loadAverage1m.end ?? Number.NaN, 2)} at the end`;
}

function header(results: BenchResults): string[] {
  const { machine, commit, postgres, settings, services } = results;
  const changed =
    commit.changedPaths.length === 0
      ? ''
      : ` (uncommitted: ${commit.changedPaths.slice(0, CHANGED_PATHS_SHOWN).join(', ')}${commit.changedPaths.length > CHANGED_PATHS_SHOWN ? ` and ${commit.changedPaths.length - CHANGED_PATHS_SHOWN} more` : ''})`;
  return [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/main.ts) at the end of its run; not edited by hand.',
    '',
    `- Commit: \`${commit.id}\`${changed}.`,
    `- Date: ${results.startedAt} to ${results.finishedAt}.`,
    `- Machine: ${machineText(machine)}. Load generator, services, PostgreSQL, Kafka and NATS share it.`,
    `- PostgreSQL ${postgres.version}, as the server reports it: fsync ${postgres.fsync}, synchronous_commit ${postgres.synchronousCommit}, full_page_writes ${postgres.fullPageWrites}, wal_sync_method ${postgres.walSyncMethod}, shared_buffers ${postgres.sharedBuffers}, max_wal_size ${postgres.maxWalSize}, checkpoint_timeout ${postgres.checkpointTimeout}, max_connections ${postgres.maxConnections}${postgres.durable ? '' : ' (**not durable**)'}; the services and pgbench use the same server.`,
    `- Services: ${topology(services.replicas)}; ${services.script}, node flags \`${services.nodeFlags.join(' ') || '(none)'}\`, NODE_ENV=production, database pool ${services.poolSize}${services.replicas > 1 ? ' per replica' : ''}.`,
    `- Each phase ran ${settings.repeat === 1 ? 'once' : `${settings.repeat} times`} (${settings.phaseDurationS} s each; phases take turns, one round after another); figures are the median of the runs, with the lowest and highest run in brackets. Latency counts every request, failed ones included; errors are counted too.`,
  ];
}

export function phaseTable(phases: PhaseReport[]): string[] {
  const rows = phases.map((phase) => [
    phase.name,
    String(phase.clients),
    spreadText(phase.throughputPerS, 0),
    fixed(phase.latency.p50Ms.median),
    fixed(phase.latency.p95Ms.median),
    spreadText(phase.latency.p99Ms),
    fixed(phase.latency.maxMs.median),
    String(phase.requestCount),
    String(phase.errorCount),
  ]);
  return markdownTable(
    ['operation', 'clients', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'requests', 'errors'],
    rows,
    [false, true, true, true, true, true, true, true, true],
  );
}

function dashboardSection(dashboard: DashboardReport): string[] {
  const rows = dashboard.windows.map((window, index) => [
    String(index + 1),
    fixed(window.producedPerS, 0),
    fixed(window.eventsAppliedPerS, 0),
    fixed(window.cpuCores, 3),
    fixed(window.eventDelayP99Ms, 0),
    fixed(window.eventLoopDelayP99Ms),
    fixed(window.keyToFrameP99Ms, 0),
    fixed(window.framesPerS, 0),
    fixed(window.rssMb, 0),
  ]);
  const filterRows = dashboard.filters.map((filter, index) => [
    String(index + 1),
    `"${filter.term}"`,
    String(filter.matches),
    fixed(filter.computeFirstMs),
    fixed(filter.computeMaxMs),
    fixed(filter.keyToFrameMaxMs),
  ]);
  return [
    '',
    '## Dashboard',
    '',
    `\`wallet dashboard\`'s store, ink UI (${dashboard.screen.columns}×${dashboard.screen.rows}, drawn to a non-TTY stream) and Kafka tail in a process of their own, ${dashboard.wallets} wallets loaded (${fixed(dashboard.snapshotLoadMs, 0)} ms), wallet events produced to Kafka at ${dashboard.eventsPerSTarget}/s. CPU is the process's user + system time over wall time; event delay runs from the event's creation to the store applying it; key → frame from pressing j or k (every ${KEY_INTERVAL_MS} ms) to the frame that shows the moved window.`,
    '',
    ...markdownTable(
      [
        'run',
        'sent/s',
        'applied/s',
        'CPU cores',
        'event delay p99 ms',
        'event loop p99 ms',
        'key → frame p99 ms',
        'frames/s',
        'RSS MB',
      ],
      rows,
      [true, true, true, true, true, true, true, true, true],
    ),
    '',
    `Filtering the ${dashboard.wallets} rows by email, typed one key every ${TYPING_INTERVAL_MS} ms, no events flowing: the store's answer (filter, count, visible rows) for the first key and the slowest, and the slowest key to the frame that shows the filtered table.`,
    '',
    ...markdownTable(
      ['run', 'term', 'matches', 'first key ms', 'slowest key ms', 'slowest key → frame ms'],
      filterRows,
      [true, false, true, true, true, true],
    ),
  ];
}

export function formatMarkdown(results: BenchResults): string {
  const targetRows = results.targets.map((check) => [check.name, check.value, check.wanted, check.status]);
  const lines = [
    ...header(results),
    '',
    '## Targets',
    '',
    `${summaryLine(results)}.`,
    '',
    ...(results.services.replicas > 1
      ? ['The targets are set for one replica of each service; shown here for comparison.', '']
      : []),
    ...markdownTable(['target', 'value', 'wanted', 'result'], targetRows, [false, false, false, false]),
  ];
  if (results.phases.length > 0) lines.push('', '## HTTP', '', ...phaseTable(results.phases));
  if (results.pgbench) lines.push('', `${pgbenchLine(results.pgbench)}.`);
  if (results.pgbenchReference) {
    lines.push(
      '',
      `${pgbenchLine(results.pgbenchReference)}: PostgreSQL alone at the clients of the p99 target, for comparison, not a target.`,
    );
  }
  const services = Object.keys(results.peakRssMb);
  if (services.length > 0) {
    const rssRows = services.map((service) => [
      service,
      fixed(results.idleRssMb[service] ?? Number.NaN, 0),
      fixed(results.peakRssMb[service] ?? Number.NaN, 0),
    ]);
    lines.push('', ...markdownTable(['service', 'idle RSS MB', 'peak RSS MB'], rssRows, [false, true, true]));
  }
  if (results.dashboard) lines.push(...dashboardSection(results.dashboard));
  return `${lines.join('\n')}\n`;
}

function pgbenchLine(pgbench: PgbenchReport): string {
  return `pgbench (built-in TPC-B, scale ${pgbench.scale}) -c ${pgbench.clients} -j ${pgbench.threads} -T ${pgbench.durationS}, ${pgbench.runs.length} runs: **${spreadText(pgbench.tps, 0)} tps**, latency average ${fixed(pgbench.latencyAverageMs.median, 2)} ms, p50 ${fixed(pgbench.p50Ms.median, 1)} ms, p99 ${spreadText(pgbench.p99Ms, 1)} ms, ${pgbench.failedCount} failed transactions`;
}
