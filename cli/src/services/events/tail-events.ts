import { randomUUID } from 'node:crypto';
import { createKafka, type EventConsumer } from '../../../../services/shared/src/messaging/kafka.ts';
import { withinTimeout } from '../../../../services/shared/src/within-timeout.ts';
import { errorFor } from '../../error-advice.ts';
import { createFollowConsumer, type FollowConsumer } from './follow-consumer.ts';
import { decodeWalletEvent, type FollowedTopic, namespacedTopics, type WalletEvent } from './wallet-event.ts';

/** Joining a consumer group and fetching metadata; past this Kafka counts as unavailable. */
export const KAFKA_START_TIMEOUT_MS = 20_000;
/** Without --follow: how often we check whether we have read everything, and for how long at most. */
export const CATCH_UP_POLL_MS = 500;
export const CATCH_UP_WAIT_MS_MAX = 60_000;

export type EventTail = {
  /** Resolves when caught up (not following) or when stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
};

export type TailOptions = {
  brokers: string[];
  namespace: string;
  topics: readonly FollowedTopic[];
  fromBeginning: boolean;
  follow: boolean;
  onEvent: (event: WalletEvent) => void | Promise<void>;
  /** Records that are not wallet events (foreign payloads); skipped. */
  onSkipped?: (topic: string, offset: string) => void;
  verbose?: boolean;
};

/**
 * Reads the wallet topics with a throwaway consumer group (a new UUID each run, so a CLI never
 * steals partitions from another, and never resumes from old offsets). Following, it commits no
 * offsets (see follow-consumer.ts); catching up, it commits each record, as the services do,
 * because it knows it is done when the committed offsets reach the ends.
 */
export async function tailEvents(options: TailOptions): Promise<EventTail> {
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: 'wallet-cli',
    verbose: options.verbose ?? false,
  });
  const topics = namespacedTopics(options.namespace, options.topics);
  const groupId = `wallet-cli-${randomUUID()}`;
  const catchUpConsumer = options.follow ? undefined : kafka.createConsumer({ groupId });
  const consumer: FollowConsumer =
    catchUpConsumer ??
    createFollowConsumer({
      brokers: options.brokers,
      clientId: 'wallet-cli',
      groupId,
      verbose: options.verbose ?? false,
    });
  let stopped = false;
  let markStopped = () => {};
  const stoppedSignal = new Promise<void>((resolve) => {
    markStopped = resolve;
  });
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await consumer.disconnect().catch(() => {});
    markStopped();
  };
  try {
    await withinTimeout(
      (async () => {
        // Subscribing to a topic that does not exist yet fails; the services create the same ones.
        await kafka.ensureTopics(topics.map((topic) => ({ topic })));
        await consumer.start({
          topics,
          fromBeginning: options.fromBeginning,
          handle: async (record) => {
            const event = decodeWalletEvent(options.namespace, record);
            if (event) await options.onEvent(event);
            else options.onSkipped?.(record.topic, record.offset);
          },
        });
      })(),
      KAFKA_START_TIMEOUT_MS,
    );
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw errorFor('KAFKA_UNAVAILABLE', `Kafka at ${options.brokers.join(',')} is not available: ${reason}`);
  }
  const done = catchUpConsumer
    ? waitUntilCaughtUp(catchUpConsumer).finally(stop)
    : Promise.race([stoppedSignal, watchForCrash(consumer, () => stopped, options.brokers)]);
  return { done, stop };
}

export const CRASH_CHECK_INTERVAL_MS = 2_000;

/** A consumer that kafkajs gave up on (broker gone past its retries) ends a follow with an error. */
function watchForCrash(consumer: FollowConsumer, isStopped: () => boolean, brokers: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (isStopped()) {
        clearInterval(timer);
        resolve();
      } else if (!consumer.isRunning()) {
        clearInterval(timer);
        reject(errorFor('KAFKA_UNAVAILABLE', `lost the connection to Kafka at ${brokers.join(',')}`));
      }
    }, CRASH_CHECK_INTERVAL_MS);
    timer.unref();
  });
}

/** Caught up: every partition's committed offset has reached its end (lag 0), or the wait ran out. */
async function waitUntilCaughtUp(consumer: EventConsumer): Promise<void> {
  const deadlineMs = Date.now() + CATCH_UP_WAIT_MS_MAX;
  while (Date.now() < deadlineMs && consumer.isRunning()) {
    const lag = await consumer.lag().catch(() => undefined);
    if (lag && Object.values(lag).every((behind) => behind <= 0)) return;
    await new Promise((done) => setTimeout(done, CATCH_UP_POLL_MS));
  }
}
