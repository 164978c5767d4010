import { setTimeout as sleep } from 'node:timers/promises';
import { loopbackHost } from '../../scripts/stack/ports.ts';
import type { StackState } from '../../scripts/stack/state.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';

/**
 * The network between the replicas and their dependencies, made of fault proxies: each replica
 * has its own proxy to PostgreSQL and to NATS (so one replica can be cut off while the other keeps
 * going), and every Kafka broker has one proxy in front of it, shared by all replicas, because a
 * broker tells its clients one address to use (it advertises the proxy's port, chaos-stack.ts).
 */
export type Dependency = 'postgres' | 'nats' | 'kafka';

export type ProxyRoute = {
  dependency: Dependency;
  /** The replica this proxy serves alone; undefined for a Kafka broker's shared proxy. */
  replica?: string;
  proxy: FaultProxy;
};

export type ChaosNetwork = { routes: ProxyRoute[] };

/** How long a black hole, a partition or added latency lasts. */
export const NETWORK_FAULT_MS = 4_000;
/** Per chunk, each way: a few tens of ms slows every query and publish without timing them out. */
export const ADDED_LATENCY_MS = 40;

/** A replica's own PostgreSQL and NATS proxies, and the environment that points it at them. */
export async function openReplicaRoutes(
  network: ChaosNetwork,
  replica: string,
  stack: StackState,
  databaseUrl: string,
  /** Where the database route leads when not to PostgreSQL itself (PgBouncer in front of it). */
  databasePort?: () => number,
): Promise<{ DATABASE_URL: string; NATS_URL: string }> {
  // Targets read at each connection: a part that was killed may come back on another port.
  const postgres = await startFaultProxy({
    name: `${replica}->postgres`,
    targetPort: databasePort ?? (() => stack.postgres.port),
  });
  const nats = await startFaultProxy({ name: `${replica}->nats`, targetPort: () => portOf(stack.nats.url) });
  network.routes.push(
    { dependency: 'postgres', replica, proxy: postgres },
    { dependency: 'nats', replica, proxy: nats },
  );
  return {
    DATABASE_URL: viaTcp(databaseUrl, postgres.port),
    NATS_URL: `nats://${loopbackHost}:${nats.port}`,
  };
}

/**
 * The database URL over loopback TCP to `port`: the stack's URLs name the Unix socket in the data
 * dir (`?host=`), which would go around the proxy. TCP logins use the password in the URL.
 */
export function viaTcp(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.searchParams.delete('host');
  url.hostname = loopbackHost;
  url.port = String(port);
  return url.toString();
}

function portOf(address: string): number {
  const port = Number(new URL(address).port);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in ${address}`);
  return port;
}

export async function closeNetwork(network: ChaosNetwork): Promise<void> {
  await Promise.all(network.routes.map((route) => route.proxy.close()));
}

const proxiesOf = (network: ChaosNetwork, pick: (route: ProxyRoute) => boolean) =>
  network.routes.filter(pick).map((route) => route.proxy);

/** Every connection to PostgreSQL, NATS and Kafka reset at once; reconnecting is the services' job. */
export function resetConnections(network: ChaosNetwork): void {
  for (const proxy of proxiesOf(network, () => true)) proxy.resetConnections();
}

/** Latency added to every route for a while, then taken away. */
export async function slowNetwork(network: ChaosNetwork): Promise<void> {
  const proxies = proxiesOf(network, () => true);
  for (const proxy of proxies) proxy.setLatencyMs(ADDED_LATENCY_MS);
  await sleep(NETWORK_FAULT_MS);
  for (const proxy of proxies) proxy.setLatencyMs(0);
}

/** Nothing gets to or from `dependency` for a while (connections stay open), then all flows again. */
export async function blackhole(network: ChaosNetwork, dependency: Dependency): Promise<void> {
  const proxies = proxiesOf(network, (route) => route.dependency === dependency);
  for (const proxy of proxies) proxy.setBlackholed(true);
  await sleep(NETWORK_FAULT_MS);
  for (const proxy of proxies) proxy.setBlackholed(false);
}

/**
 * One replica cut off from PostgreSQL and NATS (its connections reset, new ones refused) while
 * every other replica goes on; its Kafka connections stay, as the brokers' proxies are shared.
 */
export async function partitionReplica(network: ChaosNetwork, replica: string): Promise<void> {
  const proxies = proxiesOf(network, (route) => route.replica === replica);
  if (proxies.length === 0) throw new Error(`no routes of ${replica} to cut`);
  for (const proxy of proxies) proxy.setRefusing(true);
  await sleep(NETWORK_FAULT_MS);
  for (const proxy of proxies) proxy.setRefusing(false);
}

/** The dependencies the network has proxies for, PostgreSQL first: a short run hits it at least. */
export function dependenciesOf(network: ChaosNetwork): Dependency[] {
  const order: Dependency[] = ['postgres', 'nats', 'kafka'];
  return order.filter((dependency) => network.routes.some((route) => route.dependency === dependency));
}
