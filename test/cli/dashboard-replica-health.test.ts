import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createWalletApis, type WalletApis } from '../../cli/src/services/api/wallet-apis.ts';
import type { CliSettings } from '../../cli/src/services/config/cli-settings.ts';
import { type ServiceReplica, writeServicesFile } from '../../cli/src/services/config/services-file.ts';
import type { DashboardActions } from '../../cli/src/services/dashboard/dashboard-actions.ts';
import { DashboardStore } from '../../cli/src/services/dashboard/dashboard-store.ts';
import { HEALTH_POLL_INTERVAL_MS, pollHealth } from '../../cli/src/services/dashboard/health-poller.ts';
import type { ReplicaHealth } from '../../cli/src/services/dashboard/replica-health.ts';
import { replicasBehind } from '../../cli/src/services/dashboard/replica-targets.ts';
import { Dashboard } from '../../cli/src/ui/dashboard/Dashboard.tsx';
import { computeLayout } from '../../cli/src/ui/dashboard/layout.ts';
import { findFreePort } from '../support/index.ts';

/**
 * `npm start -- --replicas N` runs each service N times behind a load balancer and lists the
 * replicas in services.json. The dashboard asks each replica's own /readyz and shows a line per
 * replica under the health bar. Real HTTP servers on loopback stand in for the balancer and the
 * replicas (ready, not ready with the services' problem+json, one port nobody listens on); a real
 * services.json in a throwaway stack dir says where they are.
 */

const CYCLE_TIMEOUT_MS = 4 * HEALTH_POLL_INTERVAL_MS;
const FRAME_WAIT_MS = 3_000;
const NOT_READY_BODY = {
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  code: 'SERVICE_UNAVAILABLE',
  detail: 'not ready: database',
  checks: { database: 'failing', kafka: 'ok' },
  failing: ['database'],
};

/** A /readyz that answers 200, or 503 problem+json as a service whose database is down does. */
async function readyzServer(port: number, ready: boolean): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/readyz') {
      response.writeHead(404).end();
    } else if (ready) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ready', checks: { database: 'ok' } }));
    } else {
      response.writeHead(503, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify(NOT_READY_BODY));
    }
  });
  await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
  return server;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((closed) => server.close(() => closed()));
}

const url = (port: number) => `http://127.0.0.1:${port}`;

function settingsFor(stackDir: string, usersPort: number, transactionsPort: number): CliSettings {
  return {
    userServiceUrl: url(usersPort),
    transactionsServiceUrl: url(transactionsPort),
    kafkaBrokers: undefined,
    namespace: '',
    token: undefined,
    stackDir,
  };
}

const noActions: DashboardActions = {
  addMoney: vi.fn(async () => {}),
  withdraw: vi.fn(async () => {}),
  transfer: vi.fn(async () => {}),
  hold: vi.fn(async () => {}),
  lookUpHolds: vi.fn(),
};

/** The dashboard in an 80×24 terminal (ink-testing-library's stdout, given a size). */
function renderDashboard(store: DashboardStore, size = { columns: 80, rows: 24 }) {
  const view = render(createElement(Dashboard, { store, actions: noActions }));
  Object.defineProperty(view.stdout, 'columns', { value: size.columns, configurable: true });
  Object.defineProperty(view.stdout, 'rows', { value: size.rows, configurable: true });
  view.stdout.emit('resize');
  return view;
}

async function frameContaining(lastFrame: () => string | undefined, text: string): Promise<string> {
  await vi.waitFor(() => expect(lastFrame()).toContain(text), { timeout: FRAME_WAIT_MS, interval: 20 });
  return lastFrame()!;
}

const lineOf = (frame: string, name: string) => frame.split('\n').find((line) => line.includes(`${name} `));

describe('per-replica health from services.json (real HTTP servers)', () => {
  const servers: Server[] = [];
  const dirs: string[] = [];
  const stops: (() => void)[] = [];
  const apisToClose: WalletApis[] = [];

  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await Promise.all(apisToClose.splice(0).map((apis) => apis.close()));
  });
  afterAll(async () => {
    await Promise.all(servers.filter((server) => server.listening).map(close));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Two "load balancers" (ready) and a throwaway stack dir; the services.json is the test's to write. */
  async function balancedStack() {
    const [usersPort, transactionsPort] = [await findFreePort(), await findFreePort()];
    servers.push(await readyzServer(usersPort, true), await readyzServer(transactionsPort, true));
    const stackDir = mkdtempSync(join(tmpdir(), 'wallet-replicas-'));
    dirs.push(stackDir);
    const settings = settingsFor(stackDir, usersPort, transactionsPort);
    const apis = createWalletApis(settings);
    apisToClose.push(apis);
    const writeFile = (replicas?: ServiceReplica[]) =>
      writeServicesFile(stackDir, {
        userServiceUrl: settings.userServiceUrl,
        transactionsServiceUrl: settings.transactionsServiceUrl,
        ...(replicas ? { replicas } : {}),
      });
    return { settings, apis, writeFile };
  }

  it('given replicas ready, not ready and not listening, when polled, then each gets its own state and reason, beside the services’ health', async () => {
    // Given
    const { settings, apis, writeFile } = await balancedStack();
    const ports = await Promise.all([findFreePort(), findFreePort(), findFreePort(), findFreePort()]);
    servers.push(
      await readyzServer(ports[0]!, true),
      await readyzServer(ports[1]!, false),
      await readyzServer(ports[3]!, true),
    );
    writeFile([
      { service: 'user-service', name: 'user-service-1', url: url(ports[0]!), pid: 101 },
      { service: 'user-service', name: 'user-service-2', url: url(ports[1]!), pid: 102 },
      { service: 'transactions-service', name: 'transactions-service-1', url: url(ports[2]!) },
      { service: 'transactions-service', name: 'transactions-service-2', url: url(ports[3]!) },
    ]);
    const store = new DashboardStore();

    // When
    stops.push(pollHealth(apis, store, () => replicasBehind(settings)));

    // Then
    await vi.waitFor(
      () =>
        expect(store.replicas()).toEqual<ReplicaHealth[]>([
          { service: 'user-service', name: 'user-service-1', url: url(ports[0]!), state: 'ready' },
          {
            service: 'user-service',
            name: 'user-service-2',
            url: url(ports[1]!),
            state: 'not-ready',
            reason: 'failing database',
          },
          {
            service: 'transactions-service',
            name: 'transactions-service-1',
            url: url(ports[2]!),
            state: 'unreachable',
            reason: 'connection refused',
          },
          {
            service: 'transactions-service',
            name: 'transactions-service-2',
            url: url(ports[3]!),
            state: 'ready',
          },
        ]),
      { timeout: CYCLE_TIMEOUT_MS },
    );
    expect(store.health()).toMatchObject({ userService: 'up', transactionsService: 'up' });
  });

  it('given a replica that restarts on another port, when services.json is rewritten, then the next cycle follows it there', async () => {
    // Given: transactions-service-1 is down on its old port
    const { settings, apis, writeFile } = await balancedStack();
    const [oldPort, newPort] = [await findFreePort(), await findFreePort()];
    writeFile([{ service: 'transactions-service', name: 'transactions-service-1', url: url(oldPort) }]);
    const store = new DashboardStore();
    stops.push(pollHealth(apis, store, () => replicasBehind(settings)));
    await vi.waitFor(() => expect(store.replicas()[0]?.state).toBe('unreachable'), {
      timeout: CYCLE_TIMEOUT_MS,
    });

    // When: it comes back on a new port and `npm start` rewrites the file
    servers.push(await readyzServer(newPort, true));
    writeFile([{ service: 'transactions-service', name: 'transactions-service-1', url: url(newPort) }]);

    // Then
    await vi.waitFor(
      () =>
        expect(store.replicas()).toEqual([
          {
            service: 'transactions-service',
            name: 'transactions-service-1',
            url: url(newPort),
            state: 'ready',
          },
        ]),
      { timeout: CYCLE_TIMEOUT_MS },
    );
  });

  it('given replicas polled for real, when the dashboard renders, then one line per replica shows its name, state, address and reason within 80 columns', async () => {
    // Given
    const { settings, apis, writeFile } = await balancedStack();
    const [readyPort, notReadyPort, deadPort] = [
      await findFreePort(),
      await findFreePort(),
      await findFreePort(),
    ];
    servers.push(await readyzServer(readyPort, true), await readyzServer(notReadyPort, false));
    writeFile([
      { service: 'user-service', name: 'user-service-1', url: url(readyPort) },
      { service: 'transactions-service', name: 'transactions-service-1', url: url(notReadyPort) },
      { service: 'transactions-service', name: 'transactions-service-2', url: url(deadPort) },
    ]);
    const store = new DashboardStore();
    stops.push(pollHealth(apis, store, () => replicasBehind(settings)));

    // When
    const view = renderDashboard(store);
    stops.push(view.unmount);

    // Then
    const frame = await frameContaining(view.lastFrame, 'unreachable');
    await frameContaining(view.lastFrame, 'users up');
    const final = view.lastFrame()!;
    expect(lineOf(final, 'user-service-1')).toMatch(
      new RegExp(`● user-service-1 +ready +127\\.0\\.0\\.1:${readyPort}\\s*$`),
    );
    expect(lineOf(final, 'transactions-service-1')).toMatch(
      new RegExp(`● transactions-service-1 +not ready +127\\.0\\.0\\.1:${notReadyPort} failing database`),
    );
    expect(lineOf(final, 'transactions-service-2')).toMatch(
      new RegExp(`● transactions-service-2 +unreachable 127\\.0\\.0\\.1:${deadPort} connection refused\\s*$`),
    );
    expect(final.split('\n')[0]).toMatch(/users up\s+● transactions up/);
    expect(final.split('\n').length).toBeLessThanOrEqual(23);
    expect(Math.max(...final.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(frame).toContain('user-service-1');
  });

  it('given a services.json without replicas (one of each), when polled and rendered, then no replica lines and the layout is as before', async () => {
    // Given
    const { settings, apis, writeFile } = await balancedStack();
    writeFile();
    const store = new DashboardStore();
    stops.push(pollHealth(apis, store, () => replicasBehind(settings)));
    await vi.waitFor(
      () => expect(store.health()).toMatchObject({ userService: 'up', transactionsService: 'up' }),
      { timeout: CYCLE_TIMEOUT_MS },
    );

    // When
    const view = renderDashboard(store);
    stops.push(view.unmount);

    // Then
    const frame = await frameContaining(view.lastFrame, 'transactions up');
    expect(store.replicas()).toEqual([]);
    const lines = frame.split('\n');
    expect(lines[1]).toMatch(/^users 0 +total 0\.00/);
    expect(frame).not.toMatch(/ready|unreachable/);
    expect(computeLayout(80, 24, false, 0)).toEqual(computeLayout(80, 24, false));
    expect(lines.length).toBeLessThanOrEqual(23);
  });

  it('given replicas listed behind other URLs than the dashboard uses, when read, then they are left out', async () => {
    // Given: services.json describes a balancer on other ports than the ones this dashboard talks to
    const { settings, writeFile } = await balancedStack();
    writeFile([
      { service: 'user-service', name: 'user-service-1', url: 'http://127.0.0.1:1' },
      { service: 'transactions-service', name: 'transactions-service-1', url: 'http://127.0.0.1:2' },
    ]);
    const elsewhere = { ...settings, userServiceUrl: 'http://10.0.0.9:8080' };

    // When / Then
    expect(replicasBehind(elsewhere).map((replica) => replica.name)).toEqual(['transactions-service-1']);
    expect(replicasBehind({ ...settings, userServiceUrl: `${settings.userServiceUrl}/` })).toHaveLength(2);
    expect(replicasBehind({ ...settings, stackDir: join(settings.stackDir, 'none') })).toEqual([]);
  });
});

describe('per-replica lines on a small terminal', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('given more replicas than fit, when rendered on 80×24, then the table keeps its minimum and the last line counts the rest and how many are not ready', async () => {
    // Given
    const store = new DashboardStore();
    const replicas: ReplicaHealth[] = Array.from({ length: 12 }, (_, n) => ({
      service: n < 6 ? 'user-service' : 'transactions-service',
      name: `${n < 6 ? 'user-service' : 'transactions-service'}-${(n % 6) + 1}`,
      url: `http://127.0.0.1:${40_000 + n}`,
      state: n === 11 ? 'unreachable' : 'ready',
      ...(n === 11 ? { reason: 'connection refused' } : {}),
    }));

    const view = renderDashboard(store);
    unmount = view.unmount;
    await frameContaining(view.lastFrame, 'q quit');

    // When
    store.setReplicas(replicas);

    // Then
    const layout = computeLayout(80, 24, false, replicas.length);
    const frame = await frameContaining(view.lastFrame, 'more replicas');
    const lines = frame.split('\n');
    expect(layout.replicaRows).toBeLessThan(replicas.length);
    expect(lines.filter((line) => /● \S+-service-\d/.test(line))).toHaveLength(layout.replicaRows - 1);
    expect(frame).toContain(
      `+${replicas.length - layout.replicaRows + 1} more replicas, 1 of them not ready`,
    );
    expect(lines.length).toBeLessThanOrEqual(23);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80);
  });
});
