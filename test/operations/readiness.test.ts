import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BothServices, call, type HttpResult, startBothServices, waitFor } from '../support/index.ts';
import { createPrivateNats, type PrivateNats } from './operations-harness.ts';

/** The NATS client notices a closed socket at once; reconnects are tried every 250 ms. */
const READINESS_CHANGE_TIMEOUT_MS = 15_000;

describe('readiness follows NATS', () => {
  let nats: PrivateNats;
  let services: BothServices;

  beforeAll(async () => {
    // Given both services on a NATS server of this test's own
    nats = await createPrivateNats();
    await nats.start();
    services = await startBothServices('ops_readiness', { NATS_URL: nats.url });
  });

  afterAll(async () => {
    await services?.stop();
    await nats?.stop();
  });

  const readiness = () =>
    Promise.all([
      call(services.users.url, 'GET', '/readyz'),
      call(services.transactions.url, 'GET', '/readyz'),
    ]);

  it('Given NATS goes away, When /readyz is asked, Then both answer 503 naming nats while /healthz stays 200; when NATS is back, 200 again', async () => {
    // Given ready services
    const before = await readiness();
    expect(before.map((response) => response.status)).toEqual([200, 200]);

    // When NATS stops
    await nats.stop();

    // Then
    const [users, transactions] = await waitFor(
      'both services to report not ready',
      async () => {
        const responses = await readiness();
        return responses.every((response) => response.status === 503) ? responses : undefined;
      },
      READINESS_CHANGE_TIMEOUT_MS,
    );
    expectNotReadyBecauseOfNats(users!, transactions!);
    expect((await call(services.users.url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(services.transactions.url, 'GET', '/healthz')).status).toBe(200);

    // When NATS is back (same port), Then both reconnect and are ready again
    await nats.start();
    await waitFor(
      'both services to be ready again',
      async () => ((await readiness()).every((response) => response.status === 200) ? true : undefined),
      READINESS_CHANGE_TIMEOUT_MS,
    );
  });
});

function expectNotReadyBecauseOfNats(users: HttpResult, transactions: HttpResult): void {
  for (const response of [users, transactions]) {
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json.code).toBe('SERVICE_UNAVAILABLE');
  }
  // Given the same probe shape in both services: each names nats failing, the rest ok.
  for (const response of [users, transactions]) {
    expect(response.json.failing).toEqual(['nats']);
    expect(response.json.checks).toMatchObject({ nats: 'failing', database: 'ok', kafka: 'ok' });
  }
}
