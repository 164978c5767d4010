import { parseArgs } from 'node:util';
import { parseDurationMs } from '../test/chaos/duration.ts';

/**
 * Node flags the services run with unless --node-flags says otherwise, the image's (Dockerfile
 * NODE_OPTIONS): `--enable-source-maps`, a young generation capped at 4 MB per semi-space and an
 * old generation at 128 MB. V8 otherwise grows both under load while the live heap stays near
 * 36 MB: peak RSS 250–300 MB per service with the defaults, ~230 MB with the semi-space cap alone,
 * ~150 MB with both, and no measurable loss of throughput (bench/tuning-notes.md).
 */
export const SERVICE_NODE_FLAGS_DEFAULT =
  '--enable-source-maps --max-semi-space-size=4 --max-old-space-size=128';
/**
 * 10 s phases × 3 repetitions (6 HTTP phases and pgbench a round), then the dashboard's 3 × 10 s:
 * a whole `npm run bench` takes about 5 minutes on the 2-core machine.
 */
export const PHASE_DURATION_DEFAULT = '10s';
export const REPEAT_DEFAULT = 3;
export const DASHBOARD_DURATION_DEFAULT = '10s';
const PHASE_DURATION_MAX_MS = 5 * 60_000;
const REPEAT_MAX = 20;
/**
 * Each replica is a whole Node process: on the 2-core machine, 4 of each service (8 processes
 * beside PostgreSQL, Kafka, HAProxy, PgBouncer and the load generator) is already past the point
 * where more replicas tell anything but contention.
 */
const REPLICAS_MAX = 4;

/** What `--only` can name: one HTTP operation, pgbench, or the dashboard phase. */
export const PHASE_NAMES = [
  'transferMoney',
  'addMoney',
  'getBalance',
  'createUser',
  'pgbench',
  'dashboard',
] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];
/**
 * What --ha measures unless --only narrows it: the phases whose commits wait for the synchronous
 * standby. Reads (getBalance) do not wait for it, and the dashboard reads Kafka, not PostgreSQL.
 */
export const HA_PHASES_DEFAULT: readonly PhaseName[] = ['transferMoney', 'addMoney', 'pgbench'];

export type BenchOptions = {
  phaseDurationMs: number;
  repeat: number;
  dashboardDurationMs: number;
  profile: boolean;
  keep: boolean;
  /** The phases to run; all of them unless --only, --dashboard or a --skip-… says otherwise. */
  phases: ReadonlySet<PhaseName>;
  fromSource: boolean;
  serviceNodeFlags: string[];
  poolSize: string | undefined;
  /** Processes per service; more than 1 puts HAProxy in front of them and PgBouncer behind. */
  replicas: number;
  /** Measure the single server, then a two-node Patroni cluster with synchronous replication. */
  ha: boolean;
};

const USAGE = `npm run bench -- [options]
  --phase-duration 10s    length of each HTTP phase and pgbench run (up to 5m)
  --repeat 3              how many times each phase runs; the report gives the median and min–max
  --only <phase>          one of ${PHASE_NAMES.join(', ')} (repeatable)
  --dashboard             only the dashboard phase (same as --only dashboard)
  --dashboard-duration 10s  length of each dashboard repetition at 2,000 events/s
  --skip-pgbench, --skip-dashboard
  --from-source           run the services' TypeScript sources instead of dist
  --node-flags="<flags>" Node/V8 flags of both services (with =: they start with a dash) (default "${SERVICE_NODE_FLAGS_DEFAULT}")
  --pool-size <n>         DATABASE_POOL_SIZE of both services
  --replicas 1            processes per service (up to ${REPLICAS_MAX}); above 1 they run behind HAProxy and
                          reach PostgreSQL through PgBouncer, results go to bench/results-replicas-N.*
  --ha                    the write phases (${HA_PHASES_DEFAULT.join(', ')}; --only narrows them) on the
                          single server, then on 2 PostgreSQL nodes under Patroni with synchronous
                          replication behind HAProxy, in one run; results go to bench/results-ha.*
                          (not with --replicas, --profile or the dashboard)
  --profile               CPU-profile the transactions-service and the dashboard's windows, print summaries
  --keep                  keep the stack's directory (logs, data) afterwards`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function durationMs(name: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms && ms <= PHASE_DURATION_MAX_MS) return ms;
  return fail(`--${name} must be a duration up to 5m, got ${text}`);
}

export function readBenchOptions(args: string[] = process.argv.slice(2)): BenchOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > REPEAT_MAX)
    fail(`--repeat must be a whole number from 1 to ${REPEAT_MAX}, got ${values.repeat}`);
  const replicas = Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > REPLICAS_MAX)
    fail(`--replicas must be a whole number from 1 to ${REPLICAS_MAX}, got ${values.replicas}`);
  const only = [...(values.only ?? []), ...(values.dashboard ? ['dashboard'] : [])];
  for (const name of only)
    if (!(PHASE_NAMES as readonly string[]).includes(name)) fail(`--only: no phase called ${name}`);
  const all = values.ha ? HA_PHASES_DEFAULT : PHASE_NAMES;
  const phases = new Set<PhaseName>(only.length > 0 ? (only as PhaseName[]) : all);
  if (values['skip-pgbench']) phases.delete('pgbench');
  if (values['skip-dashboard']) phases.delete('dashboard');
  if (values.ha) {
    // Each would need a second answer for the HA side (which replica, which profile, Kafka
    // rather than PostgreSQL): left out rather than half-measured.
    if (replicas > 1) fail('--ha runs one replica of each service; leave out --replicas');
    if (values.profile) fail('--ha does not profile; leave out --profile');
    if (phases.has('dashboard')) fail('--ha has no dashboard phase: it does not touch PostgreSQL');
    if (phases.size === 0) fail('--ha: no phase left to measure');
  }
  return {
    phaseDurationMs: durationMs('phase-duration', values['phase-duration']),
    repeat,
    dashboardDurationMs: durationMs('dashboard-duration', values['dashboard-duration']),
    profile: values.profile,
    keep: values.keep,
    phases,
    fromSource: values['from-source'],
    serviceNodeFlags: values['node-flags'].split(/\s+/).filter((flag) => flag !== ''),
    poolSize: values['pool-size'],
    replicas,
    ha: values.ha,
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      'phase-duration': { type: 'string', default: PHASE_DURATION_DEFAULT },
      repeat: { type: 'string', default: String(REPEAT_DEFAULT) },
      only: { type: 'string', multiple: true },
      dashboard: { type: 'boolean', default: false },
      'dashboard-duration': { type: 'string', default: DASHBOARD_DURATION_DEFAULT },
      'skip-pgbench': { type: 'boolean', default: false },
      'skip-dashboard': { type: 'boolean', default: false },
      'from-source': { type: 'boolean', default: false },
      'node-flags': { type: 'string', default: SERVICE_NODE_FLAGS_DEFAULT },
      'pool-size': { type: 'string' },
      replicas: { type: 'string', default: '1' },
      ha: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
