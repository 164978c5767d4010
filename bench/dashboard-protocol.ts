/** While events flow, j or k is pressed this often, to time how soon the screen shows it. */
export const KEY_INTERVAL_MS = 250;
/**
 * The filter is typed at a fast typist's pace (about 7 keys/s). Keys sent the moment the last
 * frame showed would time ink's 30 frames/s cap (a frame waits up to 33 ms after the last one),
 * not the filter's answer.
 */
export const TYPING_INTERVAL_MS = 150;

/** What bench/dashboard-bench.ts asks the dashboard probe (a child process) over IPC. */
export type ProbeRequest =
  | { type: 'start-window' }
  | { type: 'end-window' }
  | { type: 'filter'; term: string }
  | { type: 'exit' };

/** One measured window of events flowing at the target rate, as the dashboard process saw it. */
export type WindowRun = {
  wallS: number;
  /** CPU time of the dashboard process (user + system) / wall time: 1 is one core busy. */
  cpuCores: number;
  eventsAppliedPerS: number;
  /** From the event's occurred_at (set when the bench produced it) to the store applying it. */
  eventDelayP50Ms: number;
  eventDelayP99Ms: number;
  eventDelayMaxMs: number;
  framesPerS: number;
  screenKiBPerS: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** j/k pressed every KEY_INTERVAL_MS meanwhile: from the key to the frame showing the moved window. */
  keyPresses: number;
  keyToFrameP50Ms: number;
  keyToFrameP99Ms: number;
  keyToFrameMaxMs: number;
  rssMb: number;
};

/** Filtering the 100,000 rows by a term typed one key at a time. */
export type FilterRun = {
  term: string;
  matches: number;
  /** The store alone per keystroke: setFilter, rowCount, the visible slice; the worst and the first. */
  computeMaxMs: number;
  computeFirstMs: number;
  computeMs: number[];
  /** Through ink: from the key to the frame that shows the filtered table; the worst keystroke. */
  keyToFrameMaxMs: number;
  keyToFrameMs: number[];
};

export type ProbeReply =
  | { type: 'ready'; loadMs: number; rssMb: number }
  | { type: 'first-event' }
  | { type: 'window'; run: WindowRun }
  | { type: 'filter'; run: FilterRun }
  | { type: 'failed'; error: string };
