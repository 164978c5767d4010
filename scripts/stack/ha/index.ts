import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { haproxyPid, startHaproxy, stopHaproxy } from '../haproxy.ts';
import { withLock } from '../lock.ts';
import { loopbackHost } from '../ports.ts';
import { databaseNames, postgresUser } from '../postgres.ts';
import { findPostgresBinDir } from '../postgres-binaries.ts';
import { ensureDatabase, withDatabase, withPostgresClient } from '../postgres-client.ts';
import { postgresRunAs } from '../system-user.ts';
import { waitUntil } from '../wait.ts';
import { etcdMemberPid, startEtcdCluster, stopEtcdMember } from './etcd.ts';
import { haproxyConfig } from './ha-haproxy-config.ts';
import { defaultNodeCount, haLayout, haproxyName, patroniNodeLayout } from './layout.ts';
import { type PatroniContext, patroniPid, startPatroniNode, stopPatroniNode } from './patroni.ts';
import { fetchCluster, isHealthyReplica, leaderOf, type PatroniCluster } from './patroni-rest.ts';
import {
  ensurePorts,
  ensureSecrets,
  type HaPostgresState,
  readHaState,
  readPorts,
  removeHaState,
  writeHaState,
} from './state.ts';
import { waitForCluster } from './status.ts';

export {
  killEtcdMember,
  killPrimary,
  pausePrimary,
  restartEtcdMember,
  restartNode,
  switchover,
} from './faults.ts';
export type { EtcdMemberState, HaPostgresState, PatroniNodeState } from './state.ts';
export { type HaNodeStatus, type HaStatus, haStatus } from './status.ts';

export type StartHaPostgresOptions = {
  dir: string;
  /** PostgreSQL nodes, each with its own Patroni: at least 2 (a primary and a synchronous standby). */
  nodes?: number;
  log: (line: string) => void;
};

// initdb with fsync on, then a base backup per standby: slow on a busy disk.
const clusterReadyTimeoutMs = 120_000;
const writableTimeoutMs = 30_000;
const lockTimeoutMs = 5 * 60_000;

/**
 * Starts etcd (3 members), one Patroni per PostgreSQL node and HAProxy in front, each only if it is
 * not running yet, and returns once the leader takes writes through HAProxy, every standby replays
 * its WAL and the service databases exist. A cluster already running healthy in `dir` is returned
 * as it is. If anything fails, everything of the cluster is stopped again.
 */
export async function startHaPostgres(options: StartHaPostgresOptions): Promise<HaPostgresState> {
  const dir = resolve(options.dir);
  const nodeCount = options.nodes ?? readPorts(dir)?.nodes.length ?? defaultNodeCount;
  if (!Number.isInteger(nodeCount) || nodeCount < 2) {
    throw new Error(`HA PostgreSQL needs at least 2 nodes, not ${nodeCount}`);
  }
  mkdirSync(haLayout(dir).root, { recursive: true });
  return withLock(join(haLayout(dir).root, 'start.lock'), lockTimeoutMs, async () => {
    const running = await runningState(dir, nodeCount);
    if (running) return running;
    try {
      return await start(dir, nodeCount, options.log);
    } catch (error) {
      await stopHaPostgres(dir).catch(() => {});
      throw error;
    }
  });
}

async function start(dir: string, nodeCount: number, log: (line: string) => void): Promise<HaPostgresState> {
  const root = haLayout(dir).root;
  const context: PatroniContext = {
    dir,
    ports: await ensurePorts(dir, nodeCount),
    secrets: ensureSecrets(dir),
    binDir: findPostgresBinDir(),
    runAs: postgresRunAs(),
    log,
  };
  const { ports } = context;
  const etcdMembers = await startEtcdCluster(dir, ports.etcd, context.runAs, log);

  // On a first start one node bootstraps (initdb) before the others copy it, so that node is pg1
  // and not whichever wins the race for the initialize key.
  const first = ports.nodes[0];
  if (!first) throw new Error('no nodes');
  const fresh = !ports.nodes.some((node) =>
    existsSync(join(patroniNodeLayout(dir, node.name).data, 'PG_VERSION')),
  );
  if (fresh) {
    startPatroniNode(context, first);
    await waitForCluster({
      dir,
      what: `patroni ${first.name} bootstrap`,
      timeoutMs: clusterReadyTimeoutMs,
      ready: (cluster) => leaderOf(cluster)?.name === first.name,
      watched: [first.name],
    });
  }
  for (const node of ports.nodes) startPatroniNode(context, node);
  await waitForCluster({
    dir,
    what: 'HA PostgreSQL cluster',
    timeoutMs: clusterReadyTimeoutMs,
    ready: isComplete,
    watched: ports.nodes.map((node) => node.name),
  });

  const haproxy = await startHaproxy({
    dir: root,
    name: haproxyName,
    config: haproxyConfig(ports.haproxy, ports.nodes),
    log,
  });
  const adminUrl = `postgres://${postgresUser}:${context.secrets.superuser}@${loopbackHost}:${ports.haproxy}/postgres`;
  // HAProxy counts a server as up until its checks say otherwise (two failed checks, ~2 s), and
  // round-robins new connections over the servers it counts up: ready once two connections per
  // node in a row all reach the primary, i.e. no standby is left in the rotation.
  await waitUntil(
    async () => {
      for (let round = 0; round < 2 * ports.nodes.length; round += 1) await probeWritable(adminUrl);
    },
    { what: 'HAProxy read-write port', timeoutMs: writableTimeoutMs, intervalMs: 500 },
  );
  await ensureDatabase(adminUrl, databaseNames.users);
  await ensureDatabase(adminUrl, databaseNames.transactions);

  const state: HaPostgresState = {
    adminUrl,
    databases: {
      users: withDatabase(adminUrl, databaseNames.users),
      transactions: withDatabase(adminUrl, databaseNames.transactions),
    },
    port: ports.haproxy,
    managed: true,
    nodes: ports.nodes.map((node) => ({ ...node, pid: patroniPid(dir, node.name) ?? 0 })),
    etcd: { members: etcdMembers },
    haproxyPid: haproxy.pid,
  };
  writeHaState(dir, state);
  log(`ha postgres: ready on ${loopbackHost}:${ports.haproxy} (${ports.nodes.length} nodes)`);
  return state;
}

/**
 * A leader, every other node a standby that replays, and one of them the synchronous standby:
 * before that a commit would be acknowledged by the primary alone.
 */
function isComplete(cluster: PatroniCluster): boolean {
  const leader = leaderOf(cluster);
  const standbys = cluster.members.filter((member) => member !== leader);
  return (
    leader !== undefined &&
    standbys.every(isHealthyReplica) &&
    standbys.some((member) => member.role === 'sync_standby')
  );
}

/** Readiness through HAProxy: a SQL round trip on a server that is not in recovery. */
export async function probeWritable(url: string): Promise<void> {
  await withPostgresClient(url, async (client) => {
    const result = await client.query<{ standby: boolean }>('select pg_is_in_recovery() as standby');
    if (result.rows[0]?.standby !== false) throw new Error('reached a standby, not the primary');
  });
}

/** The state of a cluster that runs whole and takes writes in `dir`, else undefined. */
async function runningState(dir: string, nodeCount: number): Promise<HaPostgresState | undefined> {
  const previous = readHaState(dir);
  if (!previous || previous.nodes.length !== nodeCount) return undefined;
  const allRunning =
    haproxyPid(haLayout(dir).root, haproxyName) !== undefined &&
    previous.nodes.every((node) => patroniPid(dir, node.name) !== undefined) &&
    previous.etcd.members.every((_, index) => etcdMemberPid(dir, index) !== undefined);
  if (!allRunning) return undefined;
  const writable = await probeWritable(previous.adminUrl).then(
    () => true,
    () => false,
  );
  return writable ? previous : undefined;
}

/** Stops HAProxy, every Patroni (each stops its PostgreSQL) and etcd; data and ports are kept. */
export async function stopHaPostgres(dir: string): Promise<void> {
  dir = resolve(dir);
  const ports = readPorts(dir);
  await stopHaproxy(haLayout(dir).root, haproxyName);
  if (!ports) return;
  // Standbys first: a leader stopped first would hand its role to a standby about to stop too.
  const leader = await fetchCluster(ports.nodes).then(
    (cluster) => leaderOf(cluster)?.name,
    () => undefined,
  );
  const standbys = ports.nodes.filter((node) => node.name !== leader);
  await Promise.all(standbys.map((node) => stopPatroniNode(dir, node.name)));
  if (leader) await stopPatroniNode(dir, leader);
  // Patroni needs etcd to stop cleanly (it releases its leader key), so etcd goes last.
  await Promise.all(ports.etcd.map((_, index) => stopEtcdMember(dir, index)));
  removeHaState(dir);
}
