import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BankUser,
  capturePlan,
  createUserPlan,
  depositPlan,
  type Endpoints,
  holdPlan,
  readPlan,
  reversalPlan,
  transferPlan,
  voidPlan,
  walletStatusPlan,
  withdrawalPlan,
} from './bank-plans.ts';
import {
  type BankPools,
  type PlannedHold,
  planHoldFate,
  rememberClosable,
  rememberReversible,
  rescheduleHold,
  scheduleHold,
  takeDueHold,
} from './bank-pools.ts';
import type { Operation } from './history.ts';
import { type OperationPlan, runOperation } from './operation-runner.ts';
import type { Random } from './seeded-random.ts';

/** Shares operation ids and the recorded history among all clients of one run. */
export type Recorder = { nextId(): number; record(operation: Operation): void; count(): number };

export function createRecorder(): Recorder & { operations: Operation[] } {
  const operations: Operation[] = [];
  let lastId = 0;
  return {
    operations,
    nextId: () => ++lastId,
    record: (operation) => {
      operations.push(operation);
    },
    count: () => operations.length,
  };
}

/** Mix of the chaos phase, as shares of a uniform draw (reads take what is left, about 0.20). */
const MIX = {
  freeze: 0.01,
  transfer: 0.42,
  deposit: 0.12,
  withdrawal: 0.07,
  hold: 0.1,
  reversal: 0.05,
  createUser: 0.03,
  close: 0.01,
} as const;
/** When a hold's next step is due, a client takes it with this probability before drawing. */
const HOLD_STEP_SHARE = 0.5;
export const TRANSFER_AMOUNT_MAX_MINOR = 2_000;
export const DEPOSIT_AMOUNT_MAX_MINOR = 1_000;
export const WITHDRAWAL_AMOUNT_MAX_MINOR = 1_000;
export const HOLD_AMOUNT_MAX_MINOR = 2_000;
/** How often a reversal is sent twice at once. */
const REVERSAL_RACE_SHARE = 0.2;
/** Frozen periods stay short: clients keep sending money out of the wallet meanwhile. */
const FROZEN_MS_MIN = 100;
const FROZEN_MS_MAX = 800;
/** An unfreeze is sent again (each time with its own retries) until it is acknowledged. */
const UNFREEZE_ROUNDS_MAX = 10;

export type ChaosClientOptions = {
  client: number;
  endpoints: Endpoints;
  users: readonly BankUser[];
  runId: string;
  random: Random;
  recorder: Recorder;
  pools: BankPools;
  deadlineMs: number;
  operationsMax: number;
};

/** Runs one plan under a fresh id and records it. */
async function perform(
  options: ChaosClientOptions,
  build: (key: string) => OperationPlan,
): Promise<Operation> {
  const id = options.recorder.nextId();
  const operation = await runOperation(id, build(`${options.runId}-${id}`));
  options.recorder.record(operation);
  return operation;
}

/** One client: random operations, one at a time, until the deadline or the run's operation cap. */
export async function runChaosClient(options: ChaosClientOptions): Promise<void> {
  const { random, recorder, pools } = options;
  while (Date.now() < options.deadlineMs && recorder.count() < options.operationsMax) {
    const dueHold = random.next() < HOLD_STEP_SHARE ? takeDueHold(pools, Date.now()) : undefined;
    if (dueHold) {
      await runHoldStep(options, dueHold);
      continue;
    }
    await runDrawnOperation(options, kindOfDraw(random.next()));
  }
}

function pickTwo(random: Random, users: readonly BankUser[]): [BankUser, BankUser] {
  const source = random.pick(users);
  let target = random.pick(users);
  while (target.userId === source.userId) target = random.pick(users);
  return [source, target];
}

const amount = (random: Random, maxMinor: number) => BigInt(random.int(1, maxMinor));

type MixKind = keyof typeof MIX | 'read';

/** Which operation a uniform draw in [0, 1) picks: cumulative shares of MIX, reads the rest. */
function kindOfDraw(draw: number): MixKind {
  let thresholdShare = 0;
  for (const [kind, share] of Object.entries(MIX) as [keyof typeof MIX, number][]) {
    thresholdShare += share;
    if (draw < thresholdShare) return kind;
  }
  return 'read';
}

/** One operation drawn from the mix; what it acknowledged feeds the pools (holds, reversibles). */
async function runDrawnOperation(options: ChaosClientOptions, kind: MixKind): Promise<void> {
  const { client, endpoints, users, random, pools } = options;
  switch (kind) {
    case 'freeze':
      return runFrozenPeriod(options, random.pick(users));
    case 'transfer':
      return runTransfer(options);
    case 'deposit':
      return runDeposit(options);
    case 'withdrawal': {
      const userId = random.pick(users).userId;
      const amountMinor = amount(random, WITHDRAWAL_AMOUNT_MAX_MINOR);
      await perform(options, (key) => withdrawalPlan(endpoints, client, userId, amountMinor, key));
      return;
    }
    case 'hold':
      return runHoldCreation(options);
    case 'reversal':
      if (pools.reversibles.length > 0) return runReversal(options);
      break;
    case 'createUser': {
      const operation = await perform(options, (key) =>
        createUserPlan(endpoints, client, `chaos-${key}@example.com`, key),
      );
      if (operation.outcome === 'ok' && operation.result?.userId)
        rememberClosable(pools, operation.result.userId);
      return;
    }
    case 'close':
      if (pools.closable.length > 0) return runClose(options, pools.closable.shift()!);
      break;
    case 'read':
      break;
  }
  await perform(options, () => readPlan(endpoints, client, random.pick(users)));
}

async function runTransfer(options: ChaosClientOptions): Promise<void> {
  const { client, endpoints, users, random, pools } = options;
  const [source, target] = pickTwo(random, users);
  const amountMinor = amount(random, TRANSFER_AMOUNT_MAX_MINOR);
  const operation = await perform(options, (key) =>
    transferPlan(endpoints, client, source.userId, target.userId, amountMinor, key),
  );
  const transferId = operation.result?.transferId;
  if (operation.outcome !== 'ok' || !transferId) return;
  rememberReversible(pools, {
    kind: 'transfer',
    id: transferId,
    amountMinor,
    sourceUserId: source.userId,
    targetUserId: target.userId,
  });
}

async function runDeposit(options: ChaosClientOptions): Promise<void> {
  const { client, endpoints, users, random, pools } = options;
  const userId = random.pick(users).userId;
  const amountMinor = amount(random, DEPOSIT_AMOUNT_MAX_MINOR);
  const operation = await perform(options, (key) => depositPlan(endpoints, client, userId, amountMinor, key));
  const transactionId = operation.result?.transactionId;
  if (operation.outcome !== 'ok' || !transactionId) return;
  rememberReversible(pools, { kind: 'deposit', id: transactionId, amountMinor, userId });
}

/**
 * All that remains of a remembered original (half the time), or a random part of it; now and
 * then two at once, which together must not take back more than the original.
 */
async function runReversal(options: ChaosClientOptions): Promise<void> {
  const { client, endpoints, random, pools } = options;
  const original = random.pick(pools.reversibles);
  const reverse = () => {
    const amountMinor = random.next() < 0.5 ? undefined : amount(random, Number(original.amountMinor));
    return perform(options, (key) => reversalPlan(endpoints, client, original, amountMinor, key));
  };
  if (random.next() < REVERSAL_RACE_SHARE) await Promise.all([reverse(), reverse()]);
  else await reverse();
}

/** A hold whose fate (capture all or part, void, expire) is decided now and played out later. */
async function runHoldCreation(options: ChaosClientOptions): Promise<void> {
  const { client, endpoints, users, random, pools } = options;
  const [source, target] = pickTwo(random, users);
  const amountMinor = amount(random, HOLD_AMOUNT_MAX_MINOR);
  const fate = planHoldFate(random, amountMinor);
  const hold = {
    source: source.userId,
    target: target.userId,
    amountMinor,
    expiresInSeconds: fate.expiresInSeconds,
  };
  const operation = await perform(options, (key) => holdPlan(endpoints, client, hold, key));
  const holdId = operation.result?.holdId;
  if (operation.outcome !== 'ok' || !holdId) return;
  scheduleHold(pools, {
    holdId,
    sourceUserId: source.userId,
    targetUserId: target.userId,
    amountMinor,
    steps: fate.steps,
    dueAtMs: Date.now() + fate.firstStepDelayMs,
  });
}

/**
 * The hold's next step (a race sends a capture and a void at once; at most one may win); a capture
 * that moved money becomes a transfer a reversal may go back on.
 */
async function runHoldStep(options: ChaosClientOptions, hold: PlannedHold): Promise<void> {
  const { client, endpoints, random, pools } = options;
  const step = hold.steps[0]!;
  const capture = (amountMinor?: bigint) =>
    perform(options, (key) => capturePlan(endpoints, client, hold, amountMinor, key));
  const release = () => perform(options, (key) => voidPlan(endpoints, client, hold, key));
  const operations =
    step.action === 'race'
      ? await Promise.all([capture(), release()])
      : [step.action === 'capture' ? await capture(step.amountMinor) : await release()];
  rescheduleHold(pools, hold, random, Date.now());
  for (const operation of operations) rememberCapture(pools, hold, operation);
}

function rememberCapture(pools: BankPools, hold: PlannedHold, operation: Operation): void {
  const transferId = operation.result?.transferId;
  const capturedMinor = operation.result?.capturedAmountMinor;
  if (operation.kind === 'capture' && operation.outcome === 'ok' && transferId && capturedMinor) {
    rememberReversible(pools, {
      kind: 'transfer',
      id: transferId,
      amountMinor: capturedMinor,
      sourceUserId: hold.sourceUserId,
      targetUserId: hold.targetUserId,
    });
  }
}

/**
 * Closes an empty wallet made during the run, then sends it a deposit: once the close is
 * acknowledged, the deposit must be refused (WALLET_CLOSED). Before its wallet opened (from the
 * user-created event) the close may be refused; the deposit then lands, which is fine.
 */
async function runClose(options: ChaosClientOptions, userId: string): Promise<void> {
  const { client, endpoints, random } = options;
  await perform(options, () => walletStatusPlan(endpoints, client, userId, 'close'));
  const amountMinor = amount(random, DEPOSIT_AMOUNT_MAX_MINOR);
  await perform(options, (key) => depositPlan(endpoints, client, userId, amountMinor, key));
}

/**
 * Freezes a wallet for a moment (other clients' money out of it meets WALLET_FROZEN meanwhile),
 * then unfreezes it, again until acknowledged, so no wallet stays frozen past its short period.
 */
async function runFrozenPeriod(options: ChaosClientOptions, user: BankUser): Promise<void> {
  const { client, endpoints, random } = options;
  await perform(options, () => walletStatusPlan(endpoints, client, user.userId, 'freeze'));
  await sleep(random.int(FROZEN_MS_MIN, FROZEN_MS_MAX));
  for (let round = 0; round < UNFREEZE_ROUNDS_MAX; round++) {
    const operation = await perform(options, () =>
      walletStatusPlan(endpoints, client, user.userId, 'unfreeze'),
    );
    if (operation.outcome === 'ok') return;
  }
}
