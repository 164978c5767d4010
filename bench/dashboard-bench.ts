import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka, type EventProducer } from '../services/shared/src/messaging/kafka.ts';
import { createEventSource, DASHBOARD_WALLETS, type OutgoingRecord } from './dashboard-events.ts';
import type { FilterRun, ProbeReply, ProbeRequest, WindowRun } from './dashboard-protocol.ts';
import { type Spread, spreadOf } from './repetitions.ts';

/** The rate the issue asks the dashboard to keep up with. */
export const DASHBOARD_EVENTS_PER_S = 2_000;
/** Typed into the filter one key at a time; matches user4242 and user42420…user42429. */
export const FILTER_TERM = 'user4242';
/** Events flow this long before the first measured window (consumer joined, JIT warm). */
const WARM_UP_MS = 3_000;
/** How often the producer sends what is due: 2,000/s go out as ~40 records per send. */
const PRODUCE_TICK_MS = 20;
const PROBE_READY_TIMEOUT_MS = 120_000;
const PROBE_ANSWER_TIMEOUT_MS = 60_000;
/** The terminal the probe draws to: 120 × 40, a common full-screen size. */
const SCREEN = { columns: 120, rows: 40 };

export type DashboardWindow = WindowRun & { producedPerS: number };

export type DashboardReport = {
  wallets: number;
  eventsPerSTarget: number;
  screen: { columns: number; rows: number };
  /** Loading the 100,000-wallet snapshot into the store (pages of 500, emails too). */
  snapshotLoadMs: number;
  windows: DashboardWindow[];
  producedPerS: Spread;
  eventsAppliedPerS: Spread;
  cpuCores: Spread;
  eventDelayP99Ms: Spread;
  eventLoopDelayP99Ms: Spread;
  keyToFrameP99Ms: Spread;
  framesPerS: Spread;
  filters: FilterRun[];
  filterComputeMaxMs: Spread;
  filterKeyToFrameMaxMs: Spread;
};

/**
 * The dashboard under 2,000 wallet events/s through its real path: the bench produces them to
 * the stack's Kafka as the outbox would; the dashboard process (bench/dashboard-probe.ts) tails
 * them, applies them to its store and draws with ink. Each repetition is a window of
 * `durationMs` with its CPU, event delay, event-loop delay and key-to-frame latency; then the
 * 100,000 rows are filtered by a typed term, `repeat` times.
 */
export async function runDashboardPhase(options: {
  brokers: string[];
  repeat: number;
  durationMs: number;
  /** Where the probe writes a CPU profile (--profile), or undefined. */
  profileDir: string | undefined;
  log: (line: string) => void;
}): Promise<DashboardReport> {
  const { log } = options;
  log(`dashboard: loading ${DASHBOARD_WALLETS} wallets into the probe`);
  const probe = startProbe(options.brokers, options.profileDir);
  let production: Production | undefined;
  try {
    const ready = await probe.next('ready', PROBE_READY_TIMEOUT_MS);
    log(`dashboard: snapshot loaded in ${ready.loadMs.toFixed(0)} ms, RSS ${ready.rssMb.toFixed(0)} MB`);
    const producer = await createKafka({ brokers: options.brokers, clientId: 'bench' }).createProducer();
    production = startProduction(producer, createEventSource(''), DASHBOARD_EVENTS_PER_S, log);
    await probe.next('first-event', PROBE_ANSWER_TIMEOUT_MS);
    await sleep(WARM_UP_MS);
    const windows: DashboardWindow[] = [];
    for (let run = 1; run <= options.repeat; run++) {
      const producedBefore = production.count();
      const startedMs = performance.now();
      probe.send({ type: 'start-window' });
      await sleep(options.durationMs);
      const producedPerS = (production.count() - producedBefore) / ((performance.now() - startedMs) / 1000);
      probe.send({ type: 'end-window' });
      const window = { ...(await probe.next('window', PROBE_ANSWER_TIMEOUT_MS)).run, producedPerS };
      windows.push(window);
      log(
        `  dashboard ${run}/${options.repeat}: ${window.producedPerS.toFixed(0)} events/s sent, ${window.eventsAppliedPerS.toFixed(0)}/s applied, CPU ${window.cpuCores.toFixed(3)} core, event delay p99 ${window.eventDelayP99Ms.toFixed(0)} ms, event loop p99 ${window.eventLoopDelayP99Ms.toFixed(1)} ms, key→frame p99 ${window.keyToFrameP99Ms.toFixed(0)} ms, ${window.framesPerS.toFixed(0)} frames/s`,
      );
    }
    await production.stop();
    production = undefined;
    await producer.disconnect();
    const filters: FilterRun[] = [];
    for (let run = 1; run <= options.repeat; run++) {
      probe.send({ type: 'filter', term: FILTER_TERM });
      const filter = (await probe.next('filter', PROBE_ANSWER_TIMEOUT_MS)).run;
      filters.push(filter);
      log(
        `  filter "${filter.term}" over ${DASHBOARD_WALLETS} rows (${filter.matches} match) ${run}/${options.repeat}: store ${filter.computeMaxMs.toFixed(1)} ms worst keystroke, key→frame ${filter.keyToFrameMaxMs.toFixed(1)} ms worst`,
      );
    }
    const of = (pick: (window: DashboardWindow) => number) => spreadOf(windows.map(pick));
    return {
      wallets: DASHBOARD_WALLETS,
      eventsPerSTarget: DASHBOARD_EVENTS_PER_S,
      screen: SCREEN,
      snapshotLoadMs: ready.loadMs,
      windows,
      producedPerS: of((window) => window.producedPerS),
      eventsAppliedPerS: of((window) => window.eventsAppliedPerS),
      cpuCores: of((window) => window.cpuCores),
      eventDelayP99Ms: of((window) => window.eventDelayP99Ms),
      eventLoopDelayP99Ms: of((window) => window.eventLoopDelayP99Ms),
      keyToFrameP99Ms: of((window) => window.keyToFrameP99Ms),
      framesPerS: of((window) => window.framesPerS),
      filters,
      filterComputeMaxMs: spreadOf(filters.map((filter) => filter.computeMaxMs)),
      filterKeyToFrameMaxMs: spreadOf(filters.map((filter) => filter.keyToFrameMaxMs)),
    };
  } finally {
    await production?.stop();
    await probe.stop();
  }
}

type Production = { count(): number; stop(): Promise<void> };

/** Sends what is due every PRODUCE_TICK_MS, so the rate holds even when one send is slow. */
function startProduction(
  producer: EventProducer,
  source: ReturnType<typeof createEventSource>,
  perS: number,
  log: (line: string) => void,
): Production {
  let produced = 0;
  let running = true;
  const startedMs = performance.now();
  const loop = (async () => {
    while (running) {
      const due = Math.floor(((performance.now() - startedMs) / 1000) * perS) - produced;
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (let index = 0; index < due; index++) {
        const record = source.next();
        const records = byTopic.get(record.topic) ?? [];
        records.push(record);
        byTopic.set(record.topic, records);
      }
      for (const [topic, records] of byTopic) {
        await producer.send(
          topic,
          records.map((record) => ({ key: record.key, value: record.value, headers: {} })),
        );
        produced += records.length;
      }
      await sleep(PRODUCE_TICK_MS);
    }
  })().catch((error: unknown) => log(`dashboard: producing failed: ${String(error)}`));
  return {
    count: () => produced,
    async stop() {
      running = false;
      await loop;
    },
  };
}

type Probe = {
  send(request: ProbeRequest): void;
  /** The next reply of this type (earlier replies of other types are dropped); rejects on failure. */
  next<T extends ProbeReply['type']>(type: T, timeoutMs: number): Promise<Extract<ProbeReply, { type: T }>>;
  stop(): Promise<void>;
};

/** The probe runs the dashboard's own files: Node strips the .ts, bench/tsx-hooks.ts compiles the .tsx. */
function startProbe(brokers: string[], profileDir: string | undefined): Probe {
  const child: ChildProcess = fork(join(import.meta.dirname, 'dashboard-probe.ts'), [], {
    env: {
      ...process.env,
      BENCH_KAFKA_BROKERS: brokers.join(','),
      BENCH_NAMESPACE: '',
      BENCH_WALLETS: String(DASHBOARD_WALLETS),
      BENCH_COLUMNS: String(SCREEN.columns),
      BENCH_ROWS: String(SCREEN.rows),
      // A terminal shows colours: the probe draws them too, although its stream is no TTY.
      FORCE_COLOR: '1',
      // React's production build, as the CLI bundle has it (scripts/build-cli.ts).
      NODE_ENV: 'production',
      ...(profileDir ? { BENCH_PROFILE_DIR: profileDir } : {}),
    },
    execArgv: ['--import', join(import.meta.dirname, 'tsx-hooks.ts')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: ProbeReply[] = [];
  let wake = () => {};
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      wake();
      resolve();
    }),
  );
  child.on('message', (message: ProbeReply) => {
    replies.push(message);
    wake();
  });
  return {
    send(request) {
      child.send(request);
    },
    async next(type, timeoutMs) {
      const deadlineMs = Date.now() + timeoutMs;
      for (;;) {
        const reply = replies.shift();
        if (reply?.type === 'failed') throw new Error(`dashboard probe failed: ${reply.error}`);
        if (reply?.type === type) return reply as Extract<ProbeReply, { type: typeof type }>;
        if (reply) continue;
        if (exited) throw new Error(`dashboard probe exited before answering ${type}`);
        const remainingMs = deadlineMs - Date.now();
        if (remainingMs <= 0) throw new Error(`dashboard probe did not answer ${type} in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remainingMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async stop() {
      if (exited) return;
      child.send({ type: 'exit' } satisfies ProbeRequest);
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killTimer);
    },
  };
}
