import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, RetryOptions } from 'kafkajs';
import type { IncomingEvent } from './kafka.ts';
import type { SharedKafkaAdmin } from './kafka-admin.ts';
import { batchRunOptions, CONSUMER_SETTINGS } from './kafka-consumer.ts';
import { consumerRestartDelayMs } from './restart-backoff.ts';

/** Attempts at start-up before the service gives up booting (a broker that never answers is a deploy error). */
export const CONSUMER_START_ATTEMPTS_MAX = 6;

export type SupervisedConsumerOptions = {
  groupId: string;
  topics: string[];
  /**
   * Each fetched batch of one partition, in offset order; awaited before its offsets are committed.
   * The first run of a new group reads from the beginning.
   */
  handleBatch: (events: IncomingEvent[]) => Promise<void>;
  /** kafkajs' own retries inside one consumer (fetch, heartbeat, commit) before it crashes. */
  retry?: Omit<RetryOptions, 'restartOnFailure'>;
  /** The consumer crashed (or a restart failed); a fresh one starts after `delayMs`. */
  onRestartScheduled?: (restart: { error: unknown; attempt: number; delayMs: number }) => void;
  /** A restarted consumer has joined its group again. */
  onRejoined?: () => void;
};

/** A consumer that keeps itself running for as long as the service does. */
export type RunningConsumer = {
  /** True while a consumer is a member of its group; false from a crash until a fresh one has joined. */
  isRunning(): boolean;
  lag(): Promise<Record<string, number>>;
  disconnect(): Promise<void>;
};

/**
 * Starts a consumer and supervises it. kafkajs gives up on a consumer after a long outage (its
 * retries spent) or on an error it does not retry, and a consumer nobody restarts leaves every
 * new user without a wallet. Here kafkajs never restarts on its own (`restartOnFailure` answers
 * false: one restarter, not two racing); on its `crash` event the supervisor drops the consumer
 * and starts a fresh one after a capped, jittered exponential delay (restart-backoff.ts), again
 * and again until one joins the group. Offsets are committed per handled batch, so nothing is skipped.
 */
export async function startSupervisedConsumer(
  kafka: Kafka,
  admin: SharedKafkaAdmin,
  options: SupervisedConsumerOptions,
): Promise<RunningConsumer> {
  let consumer: Consumer | undefined;
  let joined = false;
  let stopped = false;
  let failuresInRow = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let relaunching: Promise<void> | undefined;

  const launch = async (): Promise<void> => {
    const next = kafka.consumer({
      groupId: options.groupId,
      ...CONSUMER_SETTINGS,
      retry: { ...options.retry, restartOnFailure: async () => false },
    });
    consumer = next;
    next.on(next.events.GROUP_JOIN, () => {
      if (consumer !== next || stopped) return;
      joined = true;
      if (failuresInRow > 0) options.onRejoined?.();
      failuresInRow = 0;
    });
    // kafkajs stops a consumer before it reports the crash; readiness turns red from that moment.
    next.on(next.events.STOP, () => {
      if (consumer === next) joined = false;
    });
    next.on(next.events.CRASH, ({ payload }) => {
      if (consumer === next) scheduleRestart(payload.error);
    });
    try {
      await next.connect();
      // A new group must open wallets for every user created before this service first ran.
      await next.subscribe({ topics: options.topics, fromBeginning: true });
      await next.run(batchRunOptions(options.handleBatch));
    } catch (error) {
      await next.disconnect().catch(() => {});
      throw error;
    }
  };

  const scheduleRestart = (error: unknown) => {
    if (stopped || restartTimer) return;
    joined = false;
    failuresInRow += 1;
    const delayMs = consumerRestartDelayMs(failuresInRow);
    options.onRestartScheduled?.({ error, attempt: failuresInRow, delayMs });
    const crashed = consumer;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      relaunching = (async () => {
        await crashed?.disconnect().catch(() => {});
        if (!stopped) await launch().catch(scheduleRestart);
      })().finally(() => {
        relaunching = undefined;
      });
    }, delayMs);
  };

  // Start-up: right after a topic is created a broker can still answer "does not host this
  // topic-partition" to the subscription, so a few fresh attempts; past them, boot fails.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= CONSUMER_START_ATTEMPTS_MAX) throw error;
      await sleep(consumerRestartDelayMs(attempt));
    }
  }

  return {
    isRunning: () => joined && !stopped,
    lag: () => admin.lag(options.groupId, options.topics),
    async disconnect() {
      stopped = true;
      joined = false;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      await relaunching;
      await consumer?.disconnect();
    },
  };
}
