import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createWalletApis } from '../../cli/src/services/api/wallet-apis.ts';
import { DashboardStore } from '../../cli/src/services/dashboard/dashboard-store.ts';
import { HEALTH_POLL_INTERVAL_MS, pollHealth } from '../../cli/src/services/dashboard/health-poller.ts';
import { findFreePort } from '../support/index.ts';

/**
 * What the dashboard's health bar shows while `npm start` restarts a crashed service: the service
 * goes down, then up again on the same URL. Real HTTP servers stand in for the two services'
 * /readyz, one of them stopped and started again as a crash and restart would.
 */

const flipTimeoutMs = 4 * HEALTH_POLL_INTERVAL_MS;

async function readyServer(port: number): Promise<Server> {
  const server = createServer((request, response) => {
    response.writeHead(request.url === '/readyz' ? 200 : 404, { 'content-type': 'application/json' });
    response.end('{}');
  });
  await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
  return server;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((closed) => server.close(() => closed()));
}

describe('the dashboard health bar during a service restart', () => {
  const servers: Server[] = [];

  afterAll(async () => {
    await Promise.all(servers.filter((server) => server.listening).map(close));
  });

  it('given both services ready, when one dies and comes back on its port, then its health goes down and then up while the other stays up', async () => {
    // Given
    const [usersPort, transactionsPort] = [await findFreePort(), await findFreePort()];
    servers.push(await readyServer(usersPort), await readyServer(transactionsPort));
    const apis = createWalletApis({
      userServiceUrl: `http://127.0.0.1:${usersPort}`,
      transactionsServiceUrl: `http://127.0.0.1:${transactionsPort}`,
      kafkaBrokers: undefined,
      namespace: '',
      token: undefined,
      stackDir: tmpdir(),
    });
    const store = new DashboardStore();
    const stopPolling = pollHealth(apis, store);
    try {
      await vi.waitFor(
        () => expect(store.health()).toMatchObject({ userService: 'up', transactionsService: 'up' }),
        {
          timeout: flipTimeoutMs,
        },
      );

      // When: transactions-service dies
      await close(servers[1]!);

      // Then
      await vi.waitFor(() => expect(store.health().transactionsService).toBe('down'), {
        timeout: flipTimeoutMs,
      });
      expect(store.health().userService).toBe('up');

      // When: it is started again on the same port
      servers.push(await readyServer(transactionsPort));

      // Then
      await vi.waitFor(() => expect(store.health().transactionsService).toBe('up'), {
        timeout: flipTimeoutMs,
      });
      expect(store.health().userService).toBe('up');
    } finally {
      stopPolling();
      await apis.close();
    }
  });
});
