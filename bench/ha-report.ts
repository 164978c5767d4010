import { describePostgres } from './postgres-settings.ts';
import { inSync, type ReplicationSettings, type SyncCheck } from './replication-check.ts';
import { fixed, machineText, markdownTable, phaseTable } from './report.ts';
import type { Commit, Machine } from './run-info.ts';
import type { StackMeasurement } from './stack-measurement.ts';

/** One side of the comparison: what was measured on it, and how its PostgreSQL ran. */
export type HaSide = StackMeasurement & {
  /** 1: the single server; 2 or more: nodes under Patroni behind HAProxy. */
  postgresNodes: number;
  replication: ReplicationSettings;
  /** After every measured run, on the HA side only. */
  syncChecks: SyncCheck[];
  startedAt: string;
  finishedAt: string;
  /** The sides run one after the other: a change of load between them shows here. */
  loadAverage1m: { start: number; end: number };
};

/** Medians of both sides; ratio is HA ÷ single (below 1 for throughput, above 1 for latency: HA costs). */
export type Versus = { single: number; ha: number; ratio: number };

export type HaComparison = {
  name: string;
  clients: number;
  throughputPerS: Versus;
  p99Ms: Versus;
  errors: { single: number; ha: number };
};

/** Everything one `npm run bench -- --ha` measured, as bench/results-ha.json holds it. */
export type HaResults = {
  startedAt: string;
  finishedAt: string;
  commit: Commit;
  machine: Machine;
  settings: { phaseDurationS: number; repeat: number; phases: string[] };
  services: { script: string; nodeFlags: string[]; poolSize: number };
  /** Both servers durable as they report it, so the comparison prices replication, not fsync. */
  sameDurability: boolean;
  comparison: HaComparison[];
  pgbench?: { tps: Versus; latencyAverageMs: Versus };
  single: HaSide;
  ha: HaSide;
};

const versus = (single: number, ha: number): Versus => ({ single, ha, ratio: ha / single });

export function compareSides(single: HaSide, ha: HaSide): Pick<HaResults, 'comparison' | 'pgbench'> {
  const comparison = single.phases.flatMap((phase): HaComparison[] => {
    const other = ha.phases.find((each) => each.name === phase.name && each.clients === phase.clients);
    if (!other) return [];
    return [
      {
        name: phase.name,
        clients: phase.clients,
        throughputPerS: versus(phase.throughputPerS.median, other.throughputPerS.median),
        p99Ms: versus(phase.latency.p99Ms.median, other.latency.p99Ms.median),
        errors: { single: phase.errorCount, ha: other.errorCount },
      },
    ];
  });
  const pgbench =
    single.pgbench && ha.pgbench
      ? {
          tps: versus(single.pgbench.tps.median, ha.pgbench.tps.median),
          latencyAverageMs: versus(
            single.pgbench.latencyAverageMs.median,
            ha.pgbench.latencyAverageMs.median,
          ),
        }
      : undefined;
  return { comparison, ...(pgbench ? { pgbench } : {}) };
}

const ratioText = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');

/** The settings that differ between the sides, beside replication itself: they are in the ratio too. */
function otherDifferences(single: HaSide, ha: HaSide): string[] {
  const differences: string[] = [];
  const { replication: a } = single;
  const { replication: b } = ha;
  if (a.transport !== b.transport)
    differences.push(
      `the bench reaches the single server over ${a.transport} and the cluster over ${b.transport}`,
    );
  if (a.dataChecksums !== b.dataChecksums)
    differences.push(`data_checksums ${a.dataChecksums} (single) against ${b.dataChecksums} (HA)`);
  if (a.walLogHints !== b.walLogHints)
    differences.push(`wal_log_hints ${a.walLogHints} (single) against ${b.walLogHints} (HA)`);
  for (const key of [
    'sharedBuffers',
    'maxWalSize',
    'checkpointTimeout',
    'maxConnections',
    'walSyncMethod',
  ] as const)
    if (single.postgres[key] !== ha.postgres[key])
      differences.push(`${key} ${single.postgres[key]} (single) against ${ha.postgres[key]} (HA)`);
  return differences;
}

function durabilityLine(results: HaResults): string {
  const { single, ha } = results;
  if (results.sameDurability)
    return "- Durability: the same on both sides, as the servers report it (fsync, synchronous_commit and full_page_writes on): the bench's single server runs durable already, so it was not changed for the comparison.";
  return `- Durability: **not the same** (single: ${single.postgres.durable ? 'durable' : 'not durable'}; HA: ${ha.postgres.durable ? 'durable' : 'not durable'}): the ratios below price durability too, not only replication.`;
}

function syncLine(ha: HaSide): string {
  const good = ha.syncChecks.filter(inSync).length;
  const names = ha.replication.synchronousStandbyNames;
  const verdict =
    good === ha.syncChecks.length
      ? 'so every run committed through it'
      : "**so some runs committed on the primary alone** (Patroni's non-strict synchronous mode drops a standby that falls behind)";
  return `- Synchronous standby: synchronous_standby_names \`${names}\` at the start; in sync at ${good} of ${ha.syncChecks.length} checks (one after each run), ${verdict}.`;
}

function sideSection(title: string, side: HaSide): string[] {
  const lines = [
    '',
    `## ${title}`,
    '',
    `${side.startedAt} to ${side.finishedAt}, load average (1 min) ${fixed(side.loadAverage1m.start, 2)} to ${fixed(side.loadAverage1m.end, 2)}. ${describePostgres(side.postgres)}.`,
  ];
  if (side.phases.length > 0) lines.push('', ...phaseTable(side.phases));
  if (side.pgbench)
    lines.push(
      '',
      `pgbench (TPC-B, scale ${side.pgbench.scale}) -c ${side.pgbench.clients} -j ${side.pgbench.threads} -T ${side.pgbench.durationS}, ${side.pgbench.runs.length} runs: ${side.pgbench.runs.map((run) => fixed(run.tps, 0)).join(', ')} tps, ${side.pgbench.failedCount} failed transactions.`,
    );
  return lines;
}

export function formatHaMarkdown(results: HaResults): string {
  const { commit, single, ha, settings, services } = results;
  const differences = otherDifferences(single, ha);
  const rows = results.comparison.map((row) => [
    row.name,
    String(row.clients),
    fixed(row.throughputPerS.single, 0),
    fixed(row.throughputPerS.ha, 0),
    ratioText(row.throughputPerS.ratio),
    fixed(row.p99Ms.single),
    fixed(row.p99Ms.ha),
    ratioText(row.p99Ms.ratio),
    `${row.errors.single} / ${row.errors.ha}`,
  ]);
  const lines = [
    '# Synchronous replication: single server against HA',
    '',
    'Written by `npm run bench -- --ha` (bench/ha-bench.ts) at the end of its run; not edited by hand.',
    '',
    `- Commit: \`${commit.id}\`${commit.changedPaths.length > 0 ? ` (uncommitted: ${commit.changedPaths.length} paths)` : ''}.`,
    `- Date: ${results.startedAt} to ${results.finishedAt}.`,
    `- Machine: ${machineText(results.machine)}. Both sides ran on it, one after the other.`,
    `- Single server: PostgreSQL alone, as \`npm run bench\` runs it. HA: ${ha.postgresNodes} PostgreSQL nodes each under Patroni (etcd, three members), synchronous replication (a commit is acknowledged once the standby has it), HAProxy's read-write port in front; Kafka and NATS as on the single side. Services restarted against each.`,
    durabilityLine(results),
    syncLine(ha),
    `- Besides replication, the HA figures also pay for: ${[...differences, `etcd, two Patronis and the standby's WAL replay on the same ${results.machine.cores} cores`].join('; ')}.`,
    `- Services: one replica of each; ${services.script}, node flags \`${services.nodeFlags.join(' ') || '(none)'}\`, NODE_ENV=production, database pool ${services.poolSize}.`,
    `- Each phase ran ${settings.repeat === 1 ? 'once' : `${settings.repeat} times`} per side (${settings.phaseDurationS} s each, in rounds), every round on the single server first, then every round on the cluster: switching between them per round would restart PostgreSQL, Kafka and NATS each time. Figures are medians; ratio is HA ÷ single (throughput below 1 and p99 above 1 is what replication costs).`,
    '',
    '## HA ÷ single',
    '',
  ];
  if (rows.length > 0)
    lines.push(
      ...markdownTable(
        [
          'operation',
          'clients',
          'single ops/s',
          'HA ops/s',
          'HA ÷ single',
          'single p99 ms',
          'HA p99 ms',
          'HA ÷ single',
          'errors single / HA',
        ],
        rows,
        [false, true, true, true, true, true, true, true, true],
      ),
    );
  if (results.pgbench) {
    const { tps, latencyAverageMs } = results.pgbench;
    lines.push(
      ...(rows.length > 0 ? [''] : []),
      `pgbench (no services: PostgreSQL's own cost of replication${ha.replication.transport === 'tcp' ? ', through HAProxy' : ''}): ${fixed(tps.single, 0)} tps single, ${fixed(tps.ha, 0)} tps HA, **${ratioText(tps.ratio)}**; latency average ${fixed(latencyAverageMs.single, 2)} ms against ${fixed(latencyAverageMs.ha, 2)} ms, ${ratioText(latencyAverageMs.ratio)}.`,
    );
  }
  lines.push(...sideSection('Single server', single), ...sideSection(`HA (${ha.postgresNodes} nodes)`, ha));
  return `${lines.join('\n')}\n`;
}
