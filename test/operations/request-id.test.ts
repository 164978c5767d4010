import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import { type BothServices, call, collectTopic, startBothServices, waitFor } from '../support/index.ts';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('one request id from HTTP through NATS and Kafka into every log line', () => {
  let services: BothServices;

  beforeAll(async () => {
    // Debug: at info, requests that succeed quickly are not logged (shared/src/http/request-log.ts).
    services = await startBothServices('ops_request_id', { LOG_LEVEL: 'debug' });
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('Given X-Request-Id test-123, When a user is created, Then the response, the Kafka event header and the consumer log line carry it', async () => {
    // Given
    const topic = collectTopic(topicName(services.namespace, TOPICS.userCreated));
    const reader = await topic;

    try {
      // When
      const created = await call(services.users.url, 'POST', '/createUser', {
        json: { email: 'request-id@example.com' },
        headers: { 'x-request-id': 'test-123' },
      });

      // Then: the response says it
      expect(created.status).toBe(201);
      expect(created.headers['x-request-id']).toBe('test-123');
      // Then: the event on Kafka carries it
      const event = await waitFor('the user-created event', () =>
        reader.events.find((candidate) => candidate.key === created.json.user_id),
      );
      expect(event.headers['request-id']).toBe('test-123');
      // Then: transactions-service logged handling that event under the same id
      const consumed = await waitFor('the consumer log line', () =>
        services.transactionsLog.lines.find(
          (line) => line.reqId === 'test-123' && line.msg === 'event handled',
        ),
      );
      expect(consumed.topic).toBe(event.topic);
      // Then: user-service logged the request under it
      const userServiceLines = services.usersLog.lines.filter((line) => line.reqId === 'test-123');
      expect(userServiceLines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    } finally {
      await reader.stop();
    }
  });

  it('Given a balance request with an id, When user-service asks transactions-service over NATS, Then the responder logs it under that id', async () => {
    // Given a user whose wallet is open
    const email = 'balance-id@example.com';
    const created = await call(services.users.url, 'POST', '/createUser', { json: { email } });
    await waitFor('the wallet', async () => {
      const balance = await call(services.users.url, 'GET', '/getBalance', { json: { email } });
      return balance.status === 200 ? true : undefined;
    });

    // When
    const balance = await call(services.users.url, 'GET', '/getBalance', {
      json: { email },
      headers: { 'x-request-id': 'balance-req-456' },
    });

    // Then
    expect(balance.status).toBe(200);
    expect(balance.headers['x-request-id']).toBe('balance-req-456');
    const answered = services.transactionsLog.lines.find(
      (line) => line.reqId === 'balance-req-456' && line.msg === 'balance request answered',
    );
    expect(answered).toMatchObject({ result: 'ok', service: 'transactions-service' });
    expect(created.json.user_id).toMatch(UUID_PATTERN);
  });

  it('Given a deposit with an id, When its money-added event leaves through the outbox, Then the event carries the id', async () => {
    // Given
    const email = 'deposit-id@example.com';
    const created = await call(services.users.url, 'POST', '/createUser', { json: { email } });
    const userId: string = created.json.user_id;
    const reader = await collectTopic(topicName(services.namespace, TOPICS.moneyAdded));
    try {
      // When
      const deposit = await waitFor('the deposit (once the wallet is open)', async () => {
        const response = await call(services.transactions.url, 'POST', '/addMoney', {
          json: { user_id: userId, amount: 1 },
          headers: { 'x-request-id': 'deposit-789' },
        });
        return response.status === 200 ? response : undefined;
      });

      // Then
      expect(deposit.headers['x-request-id']).toBe('deposit-789');
      const event = await waitFor('the money-added event', () =>
        reader.events.find((candidate) => candidate.key === userId),
      );
      expect(event.headers['request-id']).toBe('deposit-789');
    } finally {
      await reader.stop();
    }
  });

  it('Given no X-Request-Id (or an unusable one), When calling, Then a fresh UUID is made and returned', async () => {
    const plain = await call(services.transactions.url, 'GET', '/healthz');
    const unusable = await call(services.transactions.url, 'GET', '/healthz', {
      headers: { 'x-request-id': 'spaces and ; are not an id' },
    });
    expect(plain.headers['x-request-id']).toMatch(UUID_PATTERN);
    expect(unusable.headers['x-request-id']).toMatch(UUID_PATTERN);
  });

  it('Given all the requests above, When reading both logs, Then every line about a request or a message has its reqId', () => {
    for (const log of [services.usersLog, services.transactionsLog]) {
      const aboutRequests = log.lines.filter(
        (line) =>
          'req' in line ||
          'res' in line ||
          line.msg === 'event handled' ||
          line.msg === 'balance request answered',
      );
      expect(aboutRequests.length).toBeGreaterThan(4);
      for (const line of aboutRequests) expect(line.reqId, JSON.stringify(line)).toEqual(expect.any(String));
    }
  });
});
