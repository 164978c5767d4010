import { Histogram, type Registry } from 'prom-client';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { isConnectionError, withStatement } from '../../../shared/src/db/transaction.ts';
import { MONEY_BATCH_CONCURRENCY_DEFAULT, MONEY_BATCH_MAX_SIZE_DEFAULT } from '../config.ts';
import {
  callMoneyFunction,
  commitMoneyBatch,
  type MoneyCommandResult,
  type MoneyFunctionCall,
} from '../repositories/money-command-repository.ts';

/**
 * Group commit (issue 11, migrations 006 and 008): money commands that arrive while earlier ones
 * are being committed wait for the next free slot and are then committed together, in one
 * transaction of one statement (run_transfer_batch, run_deposit_batch, run_money_batch for the rest),
 * instead of one transaction each. Nothing waits on a timer: a
 * command that finds a free slot runs at once, alone, so a single client is never slowed down;
 * batches form only when commands pile up behind busy slots, and grow with the load.
 */
export type MoneyBatchOptions = {
  /** Batches (or lone commands) in flight at once; the rest queue. */
  concurrency: number;
  /** The most commands one batch carries. */
  maxSize: number;
  /** Told the size of every batch that committed, for the metrics. */
  onBatch?: (size: number) => void;
};

export const MONEY_BATCH_DEFAULTS: MoneyBatchOptions = {
  concurrency: MONEY_BATCH_CONCURRENCY_DEFAULT,
  maxSize: MONEY_BATCH_MAX_SIZE_DEFAULT,
};

/** A command that may share a transaction: it names every wallet it will lock. */
export type BatchableCall = MoneyFunctionCall & { wallets: string[] };

type Pending = {
  call: BatchableCall;
  resolve: (result: MoneyCommandResult) => void;
  reject: (error: unknown) => void;
};

export class MoneyCommandBatcher {
  readonly #pool: Pool;
  readonly #options: MoneyBatchOptions;
  #queue: Pending[] = [];
  #inFlight = 0;

  constructor(pool: Pool, options: MoneyBatchOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  run(call: BatchableCall): Promise<MoneyCommandResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ call, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#inFlight < this.#options.concurrency && this.#queue.length > 0) {
      const batch = this.#takeBatch();
      this.#inFlight += 1;
      void this.#commit(batch).finally(() => {
        this.#inFlight -= 1;
        this.#dispatch();
      });
    }
  }

  /**
   * The oldest queued command and those after it of the same function, up to maxSize, leaving in
   * the queue any that repeats a key already taken: a batch decides each key once, and a repeat
   * (a retry racing its original) answers from the outcome in the next batch.
   */
  #takeBatch(): Pending[] {
    const fn = this.#queue[0]?.call.fn;
    const batch: Pending[] = [];
    const keys = new Set<string>();
    const rest: Pending[] = [];
    for (const pending of this.#queue) {
      const { claim } = pending.call;
      const key = claim.key === null ? undefined : `${claim.scope}\n${claim.key}`;
      if (batch.length < this.#options.maxSize && pending.call.fn === fn && !(key && keys.has(key))) {
        batch.push(pending);
        if (key) keys.add(key);
      } else rest.push(pending);
    }
    this.#queue = rest;
    return batch;
  }

  async #commit(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.#runAlone(batch[0]!);
    let results: MoneyCommandResult[];
    try {
      // Retried whole on a serialization failure or deadlock, like a lone command.
      const calls = batch.map((pending) => pending.call);
      results = await withStatement(this.#pool, (client) => commitMoneyBatch(client, calls));
    } catch (error) {
      // Lost connection: the batch may have committed, so nothing is run again; each command
      // answers as a lone one would (outcome unknown: the client retries with its key).
      if (isConnectionError(error)) for (const pending of batch) pending.reject(error);
      // Any other error rolled the whole batch back (one command's constraint, a timeout): each
      // command runs alone and gets its own answer, as if it had never been batched.
      else await Promise.all(batch.map((pending) => this.#runAlone(pending)));
      return;
    }
    this.#options.onBatch?.(batch.length);
    batch.forEach((pending, index) => {
      pending.resolve(results[index]!);
    });
  }

  async #runAlone(pending: Pending): Promise<void> {
    try {
      pending.resolve(await withStatement(this.#pool, (client) => callMoneyFunction(client, pending.call)));
      this.#options.onBatch?.(1);
    } catch (error) {
      pending.reject(error);
    }
  }
}

/**
 * One batcher per pool: batching is about the pool's connections, so every caller that shares a
 * pool shares its queue. The service configures it at start (configureMoneyBatching); a pool
 * nobody configured batches with the defaults.
 */
const batchers = new WeakMap<Pool, MoneyCommandBatcher>();

export function configureMoneyBatching(pool: Pool, options: MoneyBatchOptions): void {
  batchers.set(pool, new MoneyCommandBatcher(pool, options));
}

export function moneyCommandBatcher(pool: Pool): MoneyCommandBatcher {
  let batcher = batchers.get(pool);
  if (!batcher) {
    batcher = new MoneyCommandBatcher(pool, MONEY_BATCH_DEFAULTS);
    batchers.set(pool, batcher);
  }
  return batcher;
}

/** wallet_money_batch_size: how many money commands each committed transaction carried. */
export function moneyBatchSizeMetric(registry: Registry): (size: number) => void {
  const histogram = new Histogram({
    name: 'wallet_money_batch_size',
    help: 'Money commands committed per database transaction (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  return (size) => histogram.observe(size);
}
