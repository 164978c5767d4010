import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import {
  type BothServices,
  call,
  startBothServices,
  waitFor,
  waitForWallet,
  withDatabase,
} from '../support/index.ts';
import { type MetricSample, parsePrometheusText } from './operations-harness.ts';

const POOL_SIZE = 10;

describe('Prometheus /metrics of both services', () => {
  let services: BothServices;
  const emails = ['metrics-a@example.com', 'metrics-b@example.com'];
  const userIds: string[] = [];

  beforeAll(async () => {
    services = await startBothServices('ops_metrics', { DATABASE_POOL_SIZE: String(POOL_SIZE) });
    const { users, transactions } = services;
    // Given traffic of every kind: users, balances, deposits (fresh, replayed, refused), a refused transfer
    for (const email of emails) {
      const created = await call(users.url, 'POST', '/createUser', { json: { email } });
      expect(created.status).toBe(201);
      userIds.push(created.json.user_id);
    }
    for (const email of emails) await waitForWallet(users.url, email);
    const [a, b] = userIds as [string, string];
    const deposit = (userId: string, headers: Record<string, string> = {}) =>
      call(transactions.url, 'POST', '/addMoney', { json: { user_id: userId, amount: '5.00' }, headers });
    expect((await deposit(a)).status).toBe(200);
    expect((await deposit(a, { 'idempotency-key': 'metrics-1' })).status).toBe(200);
    expect((await deposit(a, { 'idempotency-key': 'metrics-1' })).headers['idempotency-replayed']).toBe(
      'true',
    );
    expect((await deposit(randomUUID())).json.code).toBe('USER_NOT_FOUND');
    const transfer = await call(transactions.url, 'POST', '/transferMoney', {
      json: { from_user_id: b, to_user_id: a, amount: '1.00' },
    });
    expect(transfer.json.code).toBe('INSUFFICIENT_FUNDS');
    // A user that exists only in user-service (no event, so no wallet): a balance request that fails
    await withDatabase(services.usersDatabaseUrl, (client) =>
      client.query("INSERT INTO users (user_id, email) VALUES ($1, 'no-wallet@example.com')", [randomUUID()]),
    );
    const pending = await call(users.url, 'GET', '/getBalance', { json: { email: 'no-wallet@example.com' } });
    expect(pending.json.code).toBe('WALLET_PENDING');
  });

  afterAll(async () => {
    await services?.stop();
  });

  async function scrape(url: string): Promise<MetricSample[]> {
    const response = await call(url, 'GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return parsePrometheusText(response.text);
  }

  const sumOf = (samples: MetricSample[], name: string, labels: Record<string, string> = {}) =>
    samples
      .filter((sample) => sample.name === name)
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  const has = (samples: MetricSample[], name: string, labels: Record<string, string> = {}) =>
    samples.some(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );

  it('Given the traffic, When user-service is scraped, Then HTTP latency by route and status, NATS requests by result, the outbox and the pool are there', async () => {
    // When
    const samples = await scrape(services.users.url);

    // Then
    const http = 'wallet_http_request_duration_seconds_count';
    expect(sumOf(samples, http, { method: 'POST', route: '/createUser', status: '201' })).toBe(2);
    expect(sumOf(samples, http, { route: '/getBalance', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(sumOf(samples, http, { route: '/getBalance', status: '503' })).toBeGreaterThanOrEqual(1);
    const nats = 'wallet_nats_request_duration_seconds_count';
    expect(sumOf(samples, nats, { subject: 'balance', result: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(sumOf(samples, nats, { subject: 'balance', result: 'WALLET_PENDING' })).toBeGreaterThanOrEqual(1);
    expect(has(samples, 'wallet_outbox_backlog_events')).toBe(true);
    expect(sumOf(samples, 'wallet_outbox_backlog_events')).toBe(0);
    expect(sumOf(samples, 'wallet_outbox_oldest_event_age_seconds')).toBe(0);
    expectSensiblePool(samples);
  });

  it('Given the traffic, When transactions-service is scraped, Then money operations by result, HTTP latency, the NATS responder, consumer lag, outbox and pool are there', async () => {
    // When: once the consumer has committed past the two user-created events
    const lagTopic = topicName(services.namespace, TOPICS.userCreated);
    const samples = await waitFor('consumer lag 0 on user-created', async () => {
      const scraped = await scrape(services.transactions.url);
      const lag = scraped.find(
        (sample) => sample.name === 'wallet_kafka_consumer_lag_messages' && sample.labels.topic === lagTopic,
      );
      return lag?.value === 0 ? scraped : undefined;
    });

    // Then
    const money = 'wallet_money_operations_total';
    expect(sumOf(samples, money, { operation: 'addMoney', result: 'ok' })).toBe(2);
    expect(sumOf(samples, money, { operation: 'addMoney', result: 'replayed' })).toBe(1);
    expect(sumOf(samples, money, { operation: 'addMoney', result: 'USER_NOT_FOUND' })).toBe(1);
    expect(sumOf(samples, money, { operation: 'transferMoney', result: 'INSUFFICIENT_FUNDS' })).toBe(1);
    // Sent one at a time, each of the five money commands was a transaction of its own.
    expect(sumOf(samples, 'wallet_money_batch_size_count')).toBe(5);
    expect(sumOf(samples, 'wallet_money_batch_size_sum')).toBe(5);
    const http = 'wallet_http_request_duration_seconds_count';
    expect(sumOf(samples, http, { method: 'POST', route: '/addMoney', status: '200' })).toBe(3);
    expect(sumOf(samples, http, { method: 'POST', route: '/addMoney', status: '404' })).toBe(1);
    expect(sumOf(samples, http, { method: 'POST', route: '/transferMoney', status: '422' })).toBe(1);
    expect(
      sumOf(samples, 'wallet_http_request_duration_seconds_sum', { route: '/addMoney' }),
    ).toBeGreaterThan(0);
    const handled = 'wallet_nats_handled_duration_seconds_count';
    expect(sumOf(samples, handled, { subject: 'balance', result: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(
      sumOf(samples, handled, { subject: 'balance', result: 'WALLET_NOT_FOUND' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sumOf(samples, 'wallet_outbox_backlog_events')).toBeGreaterThanOrEqual(0);
    expect(sumOf(samples, 'wallet_outbox_oldest_event_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(has(samples, 'wallet_outbox_backlog_events')).toBe(true);
    expectSensiblePool(samples);
    // Every sample names its service, so one Prometheus can scrape both
    expect(samples.every((sample) => sample.labels.service === 'transactions-service')).toBe(true);
  });

  function expectSensiblePool(samples: MetricSample[]): void {
    const pool = (state: string) => sumOf(samples, 'wallet_db_pool_connections', { state });
    for (const state of ['total', 'idle', 'waiting']) {
      expect(has(samples, 'wallet_db_pool_connections', { state }), state).toBe(true);
    }
    expect(pool('total')).toBeGreaterThanOrEqual(1);
    expect(pool('total')).toBeLessThanOrEqual(POOL_SIZE);
    expect(pool('idle')).toBeLessThanOrEqual(pool('total'));
    expect(pool('waiting')).toBe(0);
  }
});
