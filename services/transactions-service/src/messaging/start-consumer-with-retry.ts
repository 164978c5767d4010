import { setTimeout as sleep } from 'node:timers/promises';
import type { EventConsumer, IncomingEvent, KafkaClient } from '../../../shared/src/messaging/kafka.ts';

export const CONSUMER_START_ATTEMPTS_MAX = 6;
const CONSUMER_START_BACKOFF_MS = 500;
/** How often the supervisor looks whether the consumer still runs. */
export const CONSUMER_WATCH_INTERVAL_MS = 1_000;

/** A consumer that is already running: what the service needs of it afterwards. */
export type RunningConsumer = Pick<EventConsumer, 'lag' | 'isRunning' | 'disconnect'>;

type ConsumerOptions = {
  groupId: string;
  topics: string[];
  handle: (event: IncomingEvent) => Promise<void>;
};

/**
 * Joins the consumer group and subscribes, retrying with a fresh consumer: right after a topic
 * is created (by this replica or another one starting at the same time) a broker can still
 * answer "does not host this topic-partition" to the subscription's metadata request.
 */
async function startWithRetry(kafka: KafkaClient, options: ConsumerOptions): Promise<EventConsumer> {
  for (let attempt = 1; ; attempt++) {
    const consumer = kafka.createConsumer({ groupId: options.groupId });
    try {
      // A new group must open wallets for every user created before this service first ran.
      await consumer.start({ topics: options.topics, fromBeginning: true, handle: options.handle });
      return consumer;
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      if (attempt >= CONSUMER_START_ATTEMPTS_MAX) throw error;
      await sleep(CONSUMER_START_BACKOFF_MS * attempt);
    }
  }
}

/**
 * Starts the consumer and keeps it running: kafkajs gives up on a consumer after a long enough
 * outage (its retries spent, or an error it does not retry), and a consumer nobody restarts would
 * leave every new user without a wallet. The supervisor starts a fresh one in its place, for as
 * long as the service runs; offsets are committed per message, so nothing is skipped.
 */
export async function startConsumerWithRetry(
  kafka: KafkaClient,
  options: ConsumerOptions & { onRestartFailed?: (error: unknown) => void; onRestarted?: () => void },
): Promise<RunningConsumer> {
  let current = await startWithRetry(kafka, options);
  let stopped = false;
  let restarting: Promise<void> | undefined;

  const restart = async () => {
    await current.disconnect().catch(() => {});
    try {
      const next = await startWithRetry(kafka, options);
      if (stopped) await next.disconnect();
      else {
        current = next;
        options.onRestarted?.();
      }
    } catch (error) {
      // The next look tries again.
      options.onRestartFailed?.(error);
    }
  };

  const watch = setInterval(() => {
    if (stopped || restarting || current.isRunning()) return;
    restarting = restart().finally(() => {
      restarting = undefined;
    });
  }, CONSUMER_WATCH_INTERVAL_MS);
  watch.unref();

  return {
    lag: () => current.lag(),
    isRunning: () => current.isRunning(),
    async disconnect() {
      stopped = true;
      clearInterval(watch);
      await restarting;
      await current.disconnect();
    },
  };
}
