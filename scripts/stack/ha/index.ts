import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { haproxyLayout, haproxyPid, startHaproxy, stopHaproxy } from '../haproxy.ts';
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
    // A cluster that half runs (a node killed by a chaos run, say) is completed, not torn down
    // when completing it fails: what still serves keeps serving.
    const partlyRunning = anyPartRunning(dir);
    try {
      return await start(dir, nodeCount, options.log);
    } catch (error) {
      if (!partlyRunning) await stopHaPostgres(dir).catch(() => {});
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

  const haproxy = await ensureHaproxy(root, haproxyConfig(ports.haproxy, ports.nodes), log);
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
    haproxyPid: haproxy,
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

/**
 * HAProxy restarted only when it does not run or its config changed: a restart drops every
 * client connection, which a call that finds the cluster running must not do.
 */
async function ensureHaproxy(root: string, config: string, log: (line: string) => void): Promise<number> {
  const running = haproxyPid(root, haproxyName);
  const { configFile } = haproxyLayout(root, haproxyName);
  if (running && existsSync(configFile) && readFileSync(configFile, 'utf8') === config) return running;
  return (await startHaproxy({ dir: root, name: haproxyName, config, log })).pid;
}

function anyPartRunning(dir: string): boolean {
  const ports = readPorts(dir);
  return (
    haproxyPid(haLayout(dir).root, haproxyName) !== undefined ||
    (ports?.nodes.some((node) => patroniPid(dir, node.name) !== undefined) ?? false) ||
    (ports?.etcd.some((_, index) => etcdMemberPid(dir, index) !== undefined) ?? false)
  );
}

/**
 * The state of a cluster that runs whole and takes writes in `dir`, else undefined; with the
 * pids of now (a node restarted by `restartNode` has a new one).
 */
async function runningState(dir: string, nodeCount: number): Promise<HaPostgresState | undefined> {
  const previous = readHaState(dir);
  if (!previous || previous.nodes.length !== nodeCount) return undefined;
  const haproxy = haproxyPid(haLayout(dir).root, haproxyName);
  const nodes = previous.nodes.map((node) => ({ ...node, pid: patroniPid(dir, node.name) ?? 0 }));
  const members = previous.etcd.members.map((member, index) => ({
    ...member,
    pid: etcdMemberPid(dir, index) ?? 0,
  }));
  if (!haproxy || [...nodes, ...members].some((part) => part.pid === 0)) return undefined;
  const writable = await probeWritable(previous.adminUrl).then(
    () => true,
    () => false,
  );
  if (!writable) return undefined;
  const state: HaPostgresState = { ...previous, nodes, etcd: { members }, haproxyPid: haproxy };
  writeHaState(dir, state);
  return state;
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
  // One part that will not stop must not leave the others running: stop all, then report.
  const failures: unknown[] = [];
  const attempt = (stop: Promise<void>) => stop.catch((error: unknown) => failures.push(error));
  await Promise.all(standbys.map((node) => attempt(stopPatroniNode(dir, node.name))));
  if (leader) await attempt(stopPatroniNode(dir, leader));
  // Patroni needs etcd to stop cleanly (it releases its leader key), so etcd goes last, one
  // member at a time: stopped together, the etcd leader's hand-over to a member that is stopping
  // too waits out timeouts (~9 s, against ~0.3 s one by one).
  for (const index of ports.etcd.keys()) await attempt(stopEtcdMember(dir, index));
  if (failures.length > 0) {
    throw new Error(
      `HA PostgreSQL in ${dir} did not stop cleanly:\n${failures.map((error) => (error instanceof Error ? error.message : String(error))).join('\n')}`,
    );
  }
  removeHaState(dir);
}
