import { afterEach, describe, expect, it } from 'vitest';
import { commonEnvSchema } from '../../services/shared/src/config.ts';
import { registerAccessControl } from '../../services/shared/src/http/access-control.ts';
import { createHttpApp, type HttpApp } from '../../services/shared/src/http/create-http-app.ts';
import { registerHealthRoutes } from '../../services/shared/src/http/health-routes.ts';
import { PROBE_REQUESTS_PER_SECOND_MAX } from '../../services/shared/src/http/probe-rate-limit.ts';
import type { ReadinessProbes } from '../../services/shared/src/http/readiness.ts';
import { createKafka, type KafkaClient } from '../../services/shared/src/messaging/kafka.ts';
import { getStack, uniqueNamespace } from '../support/index.ts';
import { type CountingTcpProxy, startCountingTcpProxy } from './counting-tcp-proxy.ts';

/** More probes at once than any orchestrator sends; still under the per-second probe limit. */
const PROBES_AT_ONCE = 50;

async function probedApp(probes: ReadinessProbes, reuseMs?: number): Promise<HttpApp> {
  const config = commonEnvSchema.parse({
    DATABASE_URL: 'postgres://wallet@localhost/wallet',
    KAFKA_BROKERS: 'localhost:9092',
    NATS_URL: 'nats://localhost:4222',
    WALLET_OPERATOR_TOKEN: 'readiness-probes-operator-token',
  });
  const app = await createHttpApp({ name: 'probe-test', version: '0', description: 'x', logLevel: 'silent' });
  await registerAccessControl(app, config);
  registerHealthRoutes(app, { summary: 'probes', probes, reuseMs });
  await app.ready();
  return app;
}

async function readyzAtOnce(app: HttpApp, count: number) {
  return Promise.all(Array.from({ length: count }, () => app.inject({ method: 'GET', url: '/readyz' })));
}

describe('readiness probes that cannot pile up', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function kafkaThrough(proxy: CountingTcpProxy): KafkaClient {
    const kafka = createKafka({ brokers: [proxy.address], clientId: `probes-${uniqueNamespace()}` });
    cleanups.push(
      () => proxy.stop(),
      () => kafka.disconnect(),
    );
    return kafka;
  }

  it(`Given a stalled broker, When ${PROBES_AT_ONCE} /readyz arrive at once and ${PROBES_AT_ONCE} more after those timed out, Then all answer 503 naming kafka and only one admin connection was opened`, async () => {
    // Given a broker that accepts connections and never answers, and a report that is never reused
    const proxy = await startCountingTcpProxy({ stalled: true });
    const kafka = kafkaThrough(proxy);
    const app = await probedApp({ kafka: () => kafka.ping() }, 0);
    cleanups.push(() => app.close());

    // When the probes arrive at once
    const first = await readyzAtOnce(app, PROBES_AT_ONCE);

    // Then every one timed out failing, over one connection
    expect(first.map((response) => response.statusCode)).toEqual(Array(PROBES_AT_ONCE).fill(503));
    expect(first[0]?.json().checks).toEqual({ kafka: 'failing' });
    expect(proxy.connectionsOpened()).toBe(1);

    // When more arrive while the first check still hangs
    const second = await readyzAtOnce(app, PROBES_AT_ONCE);

    // Then they joined it instead of starting another
    expect(second.map((response) => response.statusCode)).toEqual(Array(PROBES_AT_ONCE).fill(503));
    expect(proxy.connectionsOpened()).toBe(1);
  });

  it('Given a healthy broker, When /readyz is asked many times within the reuse window, Then the probe ran once; and repeated pings reuse one admin connection', async () => {
    // Given the run's broker behind a counting proxy, and a probe that counts its runs
    const [host, port] = getStack().kafka.brokers[0]!.split(':');
    const proxy = await startCountingTcpProxy({ target: { host: host!, port: Number(port) } });
    const kafka = kafkaThrough(proxy);
    let probeRuns = 0;
    const app = await probedApp(
      {
        kafka: () => {
          probeRuns += 1;
          return kafka.ping();
        },
      },
      60_000,
    );
    cleanups.push(() => app.close());

    // When asked at once, then one after another
    const atOnce = await readyzAtOnce(app, PROBES_AT_ONCE);
    const oneByOne = [];
    for (let index = 0; index < 10; index++)
      oneByOne.push(await app.inject({ method: 'GET', url: '/readyz' }));

    // Then every answer is ready, from one run of the probe
    expect([...atOnce, ...oneByOne].map((response) => response.statusCode)).toEqual(
      Array(PROBES_AT_ONCE + 10).fill(200),
    );
    expect(probeRuns).toBe(1);

    // When the client pings again and again (no cache in between)
    const openedAfterFirstPing = proxy.connectionsOpened();
    for (let index = 0; index < 5; index++) expect(await kafka.ping()).toBe(true);

    // Then the admin client's connection was kept, not opened anew per ping
    expect(openedAfterFirstPing).toBe(1);
    expect(proxy.connectionsOpened()).toBe(1);
  });

  it(`Given one address, When it sends far more than ${PROBE_REQUESTS_PER_SECOND_MAX} probes per second, Then the excess gets 429 RATE_LIMITED on /readyz while /healthz still answers`, async () => {
    // Given
    const app = await probedApp({ always: () => true });
    cleanups.push(() => app.close());

    // When one address sends probes in quick batches (a batch at once, as a flood arrives)
    const flood = async (url: string) => {
      const responses = [];
      for (let sent = 0; sent < 4 * PROBE_REQUESTS_PER_SECOND_MAX; sent += PROBES_AT_ONCE) {
        const batch = await Promise.all(
          Array.from({ length: PROBES_AT_ONCE }, () => app.inject({ method: 'GET', url })),
        );
        responses.push(...batch);
        if (batch.some((response) => response.statusCode === 429)) break;
      }
      return responses;
    };
    const readyz = await flood('/readyz');

    // Then
    const statuses = new Set(readyz.map((response) => response.statusCode));
    expect([...statuses].sort()).toEqual([200, 429]);
    const refused = readyz.find((response) => response.statusCode === 429);
    expect(refused?.headers['content-type']).toContain('application/problem+json');
    expect(refused?.json().code).toBe('RATE_LIMITED');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
