import type { LatencySummary } from './latency-stats.ts';
import type { PgbenchResult } from './pgbench.ts';

export type PhaseReport = {
  name: string;
  clients: number;
  durationS: number;
  throughputPerS: number;
  errorCount: number;
  latency: LatencySummary;
};

export type TargetCheck = { name: string; value: string; target: string; pass: boolean };

export type BenchResults = {
  startedAt: string;
  machine: { cpus: number; memoryGiB: number; node: string };
  postgres: string;
  /** How the services ran: compiled or from source, node flags, database pool size. */
  services: { script: string; nodeFlags: string[]; poolSize: number };
  phases: PhaseReport[];
  pgbench?: PgbenchResult;
  /** Resident memory a moment after start, before any load. */
  idleRssMb: Record<string, number | undefined>;
  /** Highest resident memory over the whole run (VmHWM). */
  peakRssMb: Record<string, number | undefined>;
  targets: TargetCheck[];
};

/** Transfer throughput, tail latency and memory against the targets. */
export const TRANSFER_TO_PGBENCH_RATIO_MIN = 0.5;
export const TRANSFER_P99_MS_MAX = 50;
export const SERVICE_RSS_MB_MAX = 200;

export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const transfers64 = results.phases.find((phase) => phase.name === 'transferMoney' && phase.clients === 64);
  const checks: TargetCheck[] = [];
  if (transfers64 && results.pgbench) {
    const ratio = transfers64.throughputPerS / results.pgbench.tps;
    checks.push({
      name: 'transfers/s @64 vs pgbench tps @16',
      value: `${transfers64.throughputPerS.toFixed(0)} / ${results.pgbench.tps.toFixed(0)} = ${ratio.toFixed(2)}`,
      target: `≥ ${TRANSFER_TO_PGBENCH_RATIO_MIN}`,
      pass: ratio >= TRANSFER_TO_PGBENCH_RATIO_MIN,
    });
  }
  if (transfers64) {
    checks.push({
      name: 'transfer p99 @64',
      value: `${transfers64.latency.p99Ms.toFixed(1)} ms`,
      target: `≤ ${TRANSFER_P99_MS_MAX} ms`,
      pass: transfers64.latency.p99Ms <= TRANSFER_P99_MS_MAX,
    });
  }
  for (const [service, rssMb] of Object.entries(results.peakRssMb)) {
    checks.push({
      name: `${service} peak RSS`,
      value: rssMb === undefined ? 'n/a' : `${rssMb.toFixed(0)} MB`,
      target: `≤ ${SERVICE_RSS_MB_MAX} MB`,
      pass: rssMb !== undefined && rssMb <= SERVICE_RSS_MB_MAX,
    });
  }
  return checks;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

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

export function formatMarkdown(results: BenchResults): string {
  const phaseRows = results.phases.map((phase) => [
    phase.name,
    String(phase.clients),
    fixed(phase.throughputPerS, 0),
    String(phase.errorCount),
    fixed(phase.latency.p50Ms),
    fixed(phase.latency.p95Ms),
    fixed(phase.latency.p99Ms),
    fixed(phase.latency.maxMs),
  ]);
  const lines = [
    '# Benchmark results',
    '',
    `Run ${results.startedAt} on ${results.machine.cpus} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}.`,
    `PostgreSQL: ${results.postgres}. Load generator, services, PostgreSQL, Kafka and NATS share the machine.`,
    `Services: ${results.services.script}, node flags \`${results.services.nodeFlags.join(' ') || '(none)'}\`, NODE_ENV=production, database pool ${results.services.poolSize}.`,
    '',
    ...markdownTable(
      ['operation', 'clients', 'ops/s', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      phaseRows,
      [false, true, true, true, true, true, true, true],
    ),
  ];
  if (results.pgbench) {
    const pgbench = results.pgbench;
    lines.push(
      '',
      `pgbench (built-in TPC-B, scale 16) -c ${pgbench.clients} -j ${pgbench.threads} -T ${pgbench.durationS}: **${fixed(pgbench.tps, 0)} tps**, latency average ${fixed(pgbench.latencyAverageMs, 2)} ms.`,
    );
  }
  const rssRows = Object.keys(results.peakRssMb).map((service) => [
    service,
    fixed(results.idleRssMb[service] ?? Number.NaN, 0),
    fixed(results.peakRssMb[service] ?? Number.NaN, 0),
  ]);
  lines.push('', ...markdownTable(['service', 'idle RSS MB', 'peak RSS MB'], rssRows, [false, true, true]));
  const targetRows = results.targets.map((check) => [
    check.name,
    check.value,
    check.target,
    check.pass ? 'pass' : 'MISS',
  ]);
  lines.push(
    '',
    ...markdownTable(['target', 'value', 'wanted', ''], targetRows, [false, false, false, false]),
  );
  return `${lines.join('\n')}\n`;
}
