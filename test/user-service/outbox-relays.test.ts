import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userCreatedTopic } from '../../services/user-service/src/messaging/user-created-event.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  collectTopic,
  createTestDatabase,
  startTestUserService,
  type TestDatabase,
  uniqueNamespace,
  waitFor,
  withDatabase,
} from '../support/index.ts';

const USERS_PER_INSTANCE = 40;
/** After every row is published, wait this long for a duplicate that should not come. */
const DUPLICATE_GRACE_MS = 1_500;

describe('two user-service instances on one database', () => {
  const namespace = uniqueNamespace();
  let database: TestDatabase;
  let instances: RunningUserService[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('user_service_two_relays');
    // Started together: both migrate (advisory lock) and ensure the topic at the same time.
    instances = await Promise.all([
      startTestUserService(database.url, namespace),
      startTestUserService(database.url, namespace),
    ]);
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await database?.drop();
  });

  it('Given users created through both, When both relays run, Then every event is on Kafka exactly once', async () => {
    // Given
    const topic = await collectTopic(userCreatedTopic(namespace));
    try {
      // When
      const responses = await Promise.all(
        instances.flatMap((instance, which) =>
          Array.from({ length: USERS_PER_INSTANCE }, (_, index) =>
            call(instance.url, 'POST', '/createUser', {
              json: { email: `relay${which}-${index}@example.com` },
            }),
          ),
        ),
      );
      expect(responses.every((response) => response.status === 201)).toBe(true);
      const userIds = responses.map((response) => response.json.user_id as string);

      // Then
      await waitFor('all rows published', async () => {
        const pending = await withDatabase(database.url, async (client) =>
          Number(
            (await client.query('SELECT count(*) FROM outbox WHERE published_at IS NULL')).rows[0].count,
          ),
        );
        return pending === 0 ? true : undefined;
      });
      await waitFor('every event on the topic', () =>
        topic.events.length >= userIds.length ? true : undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, DUPLICATE_GRACE_MS));
      const keys = topic.events.map((event) => event.key);
      expect(keys).toHaveLength(userIds.length);
      expect([...keys].sort()).toEqual([...userIds].sort());
      const eventIds = new Set(topic.events.map((event) => event.headers['event-id']));
      expect(eventIds.size).toBe(userIds.length);
    } finally {
      await topic.stop();
    }
  });
});
