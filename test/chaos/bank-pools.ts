import type { Reversible } from './bank-plans.ts';
import type { Random } from './seeded-random.ts';

/**
 * What the clients of one run share besides the recorder: holds waiting for their next step, and
 * acknowledged movements a reversal may go back on. Bounded: when full, new entries are dropped
 * (a hold then simply expires) or the oldest reversible is forgotten.
 */

/** One step a client takes on a hold: capture (all, or part), void, or both at once (a race). */
export type HoldStep = { action: 'capture'; amountMinor?: bigint } | { action: 'void' } | { action: 'race' };

/** A hold and what is still to be done with it, not before `dueAtMs`. */
export type PlannedHold = {
  holdId: string;
  sourceUserId: string;
  targetUserId: string;
  amountMinor: bigint;
  steps: HoldStep[];
  dueAtMs: number;
};

/** `closable`: users made during the run, never funded, whose wallets may be closed. */
export type BankPools = { holds: PlannedHold[]; reversibles: Reversible[]; closable: string[] };

export const PLANNED_HOLDS_MAX = 1_000;
export const REVERSIBLES_MAX = 500;
export const CLOSABLE_MAX = 200;
/** Holds meant to be captured or voided live this long, so faults rarely let them expire first. */
export const HOLD_LIFETIME_SECONDS = 60;
/** Holds left to expire live 1–3 s: the sweep (every HOLD_EXPIRY_INTERVAL_MS) ends them mid-run. */
export const EXPIRING_HOLD_SECONDS_MIN = 1;
export const EXPIRING_HOLD_SECONDS_MAX = 3;
/** A planned step waits up to this long after the hold was made. */
const STEP_DELAY_MS_MAX = 1_000;

export function createPools(): BankPools {
  return { holds: [], reversibles: [], closable: [] };
}

/** How a hold will end, decided before it is created. */
export type HoldFate = {
  label: 'capture-full' | 'capture-part' | 'void' | 'race' | 'expire';
  expiresInSeconds: number;
  steps: HoldStep[];
  /** When the first step is due, in ms after the hold was acknowledged. */
  firstStepDelayMs: number;
};

/**
 * Captured in full (sometimes captured again, which must answer the same hold), captured in part,
 * voided (sometimes then captured, which must be refused), captured and voided at the same moment
 * by two requests (one must lose), or left to expire (sometimes with a capture or void sent around
 * the moment it expires, racing the sweep).
 */
export function planHoldFate(random: Random, amountMinor: bigint): HoldFate {
  const draw = random.next();
  const delayMs = random.int(0, STEP_DELAY_MS_MAX);
  const probe = random.next() < 0.3;
  if (draw < 0.27) {
    const steps: HoldStep[] = [{ action: 'capture' }];
    if (probe) steps.push({ action: 'capture' });
    return {
      label: 'capture-full',
      expiresInSeconds: HOLD_LIFETIME_SECONDS,
      steps,
      firstStepDelayMs: delayMs,
    };
  }
  if (draw < 0.45 && amountMinor > 1n) {
    const partMinor = BigInt(random.int(1, Number(amountMinor) - 1));
    const steps: HoldStep[] = [{ action: 'capture', amountMinor: partMinor }];
    if (probe) steps.push({ action: 'void' });
    return {
      label: 'capture-part',
      expiresInSeconds: HOLD_LIFETIME_SECONDS,
      steps,
      firstStepDelayMs: delayMs,
    };
  }
  if (draw < 0.63) {
    const steps: HoldStep[] = [{ action: 'void' }];
    if (probe) steps.push(random.next() < 0.5 ? { action: 'capture' } : { action: 'void' });
    return { label: 'void', expiresInSeconds: HOLD_LIFETIME_SECONDS, steps, firstStepDelayMs: delayMs };
  }
  if (draw < 0.73) {
    return {
      label: 'race',
      expiresInSeconds: HOLD_LIFETIME_SECONDS,
      steps: [{ action: 'race' }],
      firstStepDelayMs: delayMs,
    };
  }
  const expiresInSeconds = random.int(EXPIRING_HOLD_SECONDS_MIN, EXPIRING_HOLD_SECONDS_MAX);
  const around = expiresInSeconds * 1_000 + random.int(-300, 1_500);
  const steps: HoldStep[] = probe ? [random.next() < 0.7 ? { action: 'capture' } : { action: 'void' }] : [];
  return { label: 'expire', expiresInSeconds, steps, firstStepDelayMs: around };
}

export function scheduleHold(pools: BankPools, hold: PlannedHold): void {
  if (hold.steps.length === 0 || pools.holds.length >= PLANNED_HOLDS_MAX) return;
  pools.holds.push(hold);
}

/** Takes the first hold whose next step is due (removed: one client at a time acts on a hold). */
export function takeDueHold(pools: BankPools, nowMs: number): PlannedHold | undefined {
  const index = pools.holds.findIndex((hold) => hold.dueAtMs <= nowMs);
  if (index < 0) return undefined;
  return pools.holds.splice(index, 1)[0];
}

/** After a step: the hold goes back for its next one, a little later. */
export function rescheduleHold(pools: BankPools, hold: PlannedHold, random: Random, nowMs: number): void {
  const rest = hold.steps.slice(1);
  scheduleHold(pools, { ...hold, steps: rest, dueAtMs: nowMs + random.int(0, STEP_DELAY_MS_MAX) });
}

export function rememberClosable(pools: BankPools, userId: string): void {
  if (pools.closable.length < CLOSABLE_MAX) pools.closable.push(userId);
}

export function rememberReversible(pools: BankPools, original: Reversible): void {
  if (pools.reversibles.length >= REVERSIBLES_MAX) pools.reversibles.shift();
  pools.reversibles.push(original);
}
