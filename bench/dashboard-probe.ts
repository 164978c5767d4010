/**
 * The dashboard as `wallet dashboard` runs it (run-dashboard.tsx: the store, the ink <Dashboard>,
 * the 1 s tick, the Kafka tail of every followed topic), in a process of its own so its CPU can
 * be measured alone, drawing to a non-TTY stream instead of a terminal. The snapshot is loaded
 * from DASHBOARD_WALLETS synthetic wallets in pages, as loadSnapshot would, instead of over HTTP.
 * bench/dashboard-bench.ts starts it (with bench/tsx-hooks.ts for the .tsx) and drives it over IPC.
 * With BENCH_PROFILE_DIR set, each measured window is CPU-profiled into that directory.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { render } from 'ink';
import { createElement } from 'react';
import type { DashboardActions } from '../cli/src/services/dashboard/dashboard-actions.ts';
import { DashboardStore } from '../cli/src/services/dashboard/dashboard-store.ts';
import { tailEvents } from '../cli/src/services/events/tail-events.ts';
import { FOLLOWED_TOPICS } from '../cli/src/services/events/wallet-event.ts';
import { Dashboard } from '../cli/src/ui/dashboard/Dashboard.tsx';
import { computeLayout } from '../cli/src/ui/dashboard/layout.ts';
import { TICK_INTERVAL_MS } from '../cli/src/ui/dashboard/run-dashboard.tsx';
import { hideKnownWarnings } from '../services/shared/src/process/known-warnings.ts';
import { OPENING_BALANCE_MINOR, walletEmail, walletId } from './dashboard-events.ts';
import {
  type FilterRun,
  KEY_INTERVAL_MS,
  type ProbeReply,
  type ProbeRequest,
  TYPING_INTERVAL_MS,
  type WindowRun,
} from './dashboard-protocol.ts';
import { FakeKeyboard, ScreenStream } from './dashboard-screen.ts';

hideKnownWarnings();

const SNAPSHOT_PAGE = 500;
const FRAME_WAIT_MS_MAX = 2_000;
const EVENT_LOOP_RESOLUTION_MS = 10;

const brokers = (process.env.BENCH_KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const namespace = process.env.BENCH_NAMESPACE ?? '';
const wallets = Number(process.env.BENCH_WALLETS);
const columns = Number(process.env.BENCH_COLUMNS ?? 120);
const rows = Number(process.env.BENCH_ROWS ?? 40);
const reply = (message: ProbeReply) => process.send?.(message);

const store = new DashboardStore();
const noAction = async () => {};
const actions: DashboardActions = {
  addMoney: noAction,
  withdraw: noAction,
  transfer: noAction,
  hold: noAction,
  lookUpHolds: () => {},
};

function loadSnapshot(): void {
  for (let first = 0; first < wallets; first += SNAPSHOT_PAGE) {
    const page = Array.from(
      { length: Math.min(SNAPSHOT_PAGE, wallets - first) },
      (_, index) => first + index,
    );
    store.addWallets(
      page.map((n) => ({
        userId: walletId(n),
        balanceMinor: BigInt(OPENING_BALANCE_MINOR),
        heldMinor: 0n,
        availableMinor: BigInt(OPENING_BALANCE_MINOR),
        status: 'active' as const,
        seq: 1,
        createdAt: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
      })),
    );
    store.nameUsers(page.map((n) => ({ user_id: walletId(n), email: walletEmail(n) })));
  }
  store.finishLoading();
}

const screen = new ScreenStream(columns, rows);
const keyboard = new FakeKeyboard();
let framesRendered = 0;
const app = render(createElement(Dashboard, { store, actions }), {
  stdout: screen as unknown as NodeJS.WriteStream,
  stdin: keyboard as unknown as NodeJS.ReadStream,
  stderr: new ScreenStream(columns, rows) as unknown as NodeJS.WriteStream,
  interactive: true,
  alternateScreen: true,
  exitOnCtrlC: false,
  patchConsole: false,
  onRender: () => {
    framesRendered += 1;
  },
});
const ticker = setInterval(() => store.tick(), TICK_INTERVAL_MS);
const { tableRows } = computeLayout(columns, rows, false);
/** The footer's "first-last of count" for the window starting at row `first` (0-based). */
const rangeText = (first: number) => `${first + 1}-${first + tableRows} of ${wallets}`;

let eventsApplied = 0;
let eventDelaysMs: number[] = [];
let firstEventSeen = false;

async function pressAndWait(key: string, text: string): Promise<number> {
  const startedMs = performance.now();
  const shown = screen.waitFor(text, FRAME_WAIT_MS_MAX);
  keyboard.press(key);
  return (await shown) ? performance.now() - startedMs : FRAME_WAIT_MS_MAX;
}

/** Presses j and k in turn (one row down, one up) every KEY_INTERVAL_MS until `running()` is false. */
async function pressKeysWhile(running: () => boolean): Promise<number[]> {
  const keyToFrameMs: number[] = [];
  let down = true;
  while (running()) {
    const startedMs = performance.now();
    keyToFrameMs.push(await pressAndWait(down ? 'j' : 'k', rangeText(down ? 1 : 0)));
    down = !down;
    await sleep(Math.max(0, KEY_INTERVAL_MS - (performance.now() - startedMs)));
  }
  if (!down) await pressAndWait('k', rangeText(0));
  return keyToFrameMs;
}

let window:
  | {
      startedMs: number;
      cpu: NodeJS.CpuUsage;
      applied: number;
      frames: number;
      bytes: number;
      keys: Promise<number[]>;
      running: boolean;
    }
  | undefined;
const eventLoopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
const profileDir = process.env.BENCH_PROFILE_DIR;
const profiler = profileDir ? new Session() : undefined;
let windowsProfiled = 0;

async function startWindow(): Promise<void> {
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  eventDelaysMs = [];
  eventLoopDelay.reset();
  eventLoopDelay.enable();
  const started = {
    startedMs: performance.now(),
    cpu: process.cpuUsage(),
    applied: eventsApplied,
    frames: framesRendered,
    bytes: screen.bytesWritten,
    keys: Promise.resolve([] as number[]),
    running: true,
  };
  started.keys = pressKeysWhile(() => started.running);
  window = started;
}

async function endWindow(): Promise<WindowRun> {
  const current = window;
  if (!current) throw new Error('no window started');
  const wallMs = performance.now() - current.startedMs;
  const cpu = process.cpuUsage(current.cpu);
  if (profiler && profileDir) {
    const { profile } = await profiler.post('Profiler.stop');
    windowsProfiled += 1;
    writeFileSync(
      join(profileDir, `dashboard-window-${windowsProfiled}.cpuprofile`),
      JSON.stringify(profile),
    );
    profiler.disconnect();
  }
  eventLoopDelay.disable();
  const applied = eventsApplied - current.applied;
  const frames = framesRendered - current.frames;
  const bytes = screen.bytesWritten - current.bytes;
  const sortedDelays = eventDelaysMs.sort((a, b) => a - b);
  eventDelaysMs = [];
  current.running = false;
  const keyToFrameMs = await current.keys;
  window = undefined;
  const sortedKeys = [...keyToFrameMs].sort((a, b) => a - b);
  return {
    wallS: wallMs / 1000,
    cpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
    eventsAppliedPerS: applied / (wallMs / 1000),
    eventDelayP50Ms: percentile(sortedDelays, 0.5),
    eventDelayP99Ms: percentile(sortedDelays, 0.99),
    eventDelayMaxMs: sortedDelays.at(-1) ?? Number.NaN,
    framesPerS: frames / (wallMs / 1000),
    screenKiBPerS: bytes / 1024 / (wallMs / 1000),
    eventLoopDelayP99Ms: eventLoopDelay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: eventLoopDelay.max / 1e6,
    keyPresses: keyToFrameMs.length,
    keyToFrameP50Ms: percentile(sortedKeys, 0.5),
    keyToFrameP99Ms: percentile(sortedKeys, 0.99),
    keyToFrameMaxMs: sortedKeys.at(-1) ?? Number.NaN,
    rssMb: process.memoryUsage.rss() / 2 ** 20,
  };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/**
 * Filtering the 100,000 rows by email, as typed: the store's answer per keystroke (filter, count,
 * the visible slice), then the same through the UI, from the key to the frame that shows it.
 */
async function filterRun(term: string): Promise<FilterRun> {
  const prefixes = Array.from({ length: term.length }, (_, index) => term.slice(0, index + 1));
  const computeMs: number[] = [];
  let matches = 0;
  for (const prefix of prefixes) {
    const startedMs = performance.now();
    store.setFilter(prefix);
    matches = store.rowCount();
    store.visibleRows(0, tableRows);
    computeMs.push(performance.now() - startedMs);
  }
  store.setFilter('');
  await sleep(100);
  const keyToFrameMs: number[] = [];
  await pressAndWait('/', 'filter by email:');
  for (const prefix of prefixes) {
    await sleep(TYPING_INTERVAL_MS);
    keyToFrameMs.push(await pressAndWait(prefix.at(-1)!, `email: ${prefix}  Enter`));
  }
  await pressAndWait('\u001b', rangeText(0));
  return {
    term,
    matches,
    computeMaxMs: Math.max(...computeMs),
    computeFirstMs: computeMs[0]!,
    keyToFrameMaxMs: Math.max(...keyToFrameMs),
    keyToFrameMs,
    computeMs,
  };
}

async function handle(request: ProbeRequest): Promise<void> {
  if (request.type === 'start-window') await startWindow();
  else if (request.type === 'end-window') reply({ type: 'window', run: await endWindow() });
  else if (request.type === 'filter') reply({ type: 'filter', run: await filterRun(request.term) });
  else if (request.type === 'exit') {
    clearInterval(ticker);
    await tail.stop();
    app.unmount();
    process.exit(0);
  }
}

const loadStartedMs = performance.now();
loadSnapshot();
const loadMs = performance.now() - loadStartedMs;
const tail = await tailEvents({
  brokers,
  namespace,
  topics: FOLLOWED_TOPICS,
  fromBeginning: false,
  follow: true,
  onEvent: (event) => {
    eventsApplied += 1;
    if (window) eventDelaysMs.push(Date.now() - Date.parse(event.occurredAt));
    if (!firstEventSeen) {
      firstEventSeen = true;
      reply({ type: 'first-event' });
    }
    store.applyEvent(event);
  },
});
process.on('message', (request: ProbeRequest) => {
  handle(request).catch((error: unknown) => {
    reply({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  });
});
if (!screen.shows(rangeText(0)) && !(await screen.waitFor(rangeText(0), FRAME_WAIT_MS_MAX * 5)))
  throw new Error(`the dashboard never showed "${rangeText(0)}"`);
reply({ type: 'ready', loadMs, rssMb: process.memoryUsage.rss() / 2 ** 20 });
