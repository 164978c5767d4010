import { TOPICS, topicName, userCreatedEventSchema } from '../../../shared/src/contracts/events.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import type { EventProducer, IncomingEvent, OutgoingEvent } from '../../../shared/src/messaging/kafka.ts';
import { openWallets } from '../repositories/wallet-repository.ts';

export const ERROR_HEADER = 'error';
const ERROR_TEXT_LENGTH_MAX = 500;

export type UserCreatedHandlerDeps = {
  pool: Pool;
  producer: EventProducer;
  namespace: string;
  log: { warn(object: object, message: string): void };
};

/**
 * Opens a wallet for each `user-created` event of a batch (one partition's fetch, in offset
 * order), all in one statement. Redelivery is harmless (ON CONFLICT DO NOTHING). A malformed event
 * can never succeed, so it goes to the dead-letter topic and the partition moves on; a database
 * outage throws, so the batch is delivered again and no user is skipped.
 */
export function createUserCreatedHandler(
  deps: UserCreatedHandlerDeps,
): (events: IncomingEvent[]) => Promise<void> {
  const deadLetterTopic = topicName(deps.namespace, TOPICS.userCreatedDeadLetter);
  return async (events) => {
    const userIds: string[] = [];
    const deadLetters: OutgoingEvent[] = [];
    for (const event of events) {
      const problem = readProblem(event.value);
      if (problem.userId !== undefined) {
        userIds.push(problem.userId);
        continue;
      }
      deps.log.warn(
        { topic: event.topic, partition: event.partition, offset: event.offset, error: problem.error },
        'malformed user-created event sent to the dead-letter topic',
      );
      deadLetters.push({
        key: event.key ?? '',
        value: event.value ?? '',
        headers: {
          ...event.headers,
          [ERROR_HEADER]: problem.error,
          'original-topic': event.topic,
          'original-partition': String(event.partition),
          'original-offset': event.offset,
        },
      });
    }
    await openWallets(deps.pool, userIds);
    if (deadLetters.length > 0) await deps.producer.send(deadLetterTopic, deadLetters);
  };
}

function readProblem(
  value: string | null,
): { userId: string; error?: never } | { userId?: never; error: string } {
  if (value === null) return { error: 'empty message' };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}`.slice(0, ERROR_TEXT_LENGTH_MAX) };
  }
  const parsed = userCreatedEventSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    return { error: `invalid user-created event: ${issues.join('; ')}`.slice(0, ERROR_TEXT_LENGTH_MAX) };
  }
  return { userId: parsed.data.user_id.toLowerCase() };
}
