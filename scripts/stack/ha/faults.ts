import { setTimeout as sleep } from 'node:timers/promises';
import { findPostgresBinDir } from '../postgres-binaries.ts';
import { processTree, signalAll, waitUntilDead } from '../process-tree.ts';
import { postgresRunAs } from '../system-user.ts';
import { etcdMemberPid, startEtcdMember, waitForEtcdMember } from './etcd.ts';
import { etcdMemberLayout } from './layout.ts';
import { forgetZombiePostmaster, patroniPid, postmasterPid, startPatroniNode } from './patroni.ts';
import { fetchCluster, isHealthyReplica, leaderOf, restPost } from './patroni-rest.ts';
import { ensureSecrets, type HaPorts, readPorts } from './state.ts';
import { waitForCluster } from './status.ts';

/**
 * Faults for the chaos run, each a real signal to real processes. A node's processes are its
 * Patroni and its PostgreSQL (postmaster and every backend), hit together in one loop, as when
 * the machine under them loses power or freezes.
 */

const killWaitMs = 10_000;
const switchoverTimeoutMs = 60_000;
const rejoinTimeoutMs = 120_000;

function portsOf(dir: string): HaPorts {
  const ports = readPorts(dir);
  if (!ports) throw new Error(`no HA PostgreSQL was ever started in ${dir}`);
  return ports;
}

async function currentLeader(dir: string): Promise<string> {
  const leader = leaderOf(await fetchCluster(portsOf(dir).nodes));
  if (!leader) throw new Error(`the HA cluster in ${dir} has no running leader`);
  return leader.name;
}

/** The node's Patroni with everything below it, and its postmaster tree if that was orphaned. */
function nodeProcesses(dir: string, name: string): number[] {
  const patroni = patroniPid(dir, name);
  const postmaster = postmasterPid(dir, name);
  const pids = new Set<number>([
    ...(patroni ? processTree(patroni) : []),
    ...(postmaster ? processTree(postmaster) : []),
  ]);
  return [...pids];
}

/** SIGKILL of the leader's Patroni, postmaster and backends at once; returns the node's name. */
export async function killPrimary(dir: string): Promise<string> {
  const leader = await currentLeader(dir);
  const pids = nodeProcesses(dir, leader);
  signalAll(pids, 'SIGKILL');
  await waitUntilDead(pids, killWaitMs, `node ${leader}`);
  await forgetZombiePostmaster(dir, leader);
  return leader;
}

/**
 * SIGSTOP of the leader's Patroni and PostgreSQL for `ms`, then SIGCONT: a node frozen past the
 * ttl loses its leader key while it cannot know. Resolves after the SIGCONT with the node's name.
 */
export async function pausePrimary(dir: string, ms: number): Promise<string> {
  const leader = await currentLeader(dir);
  const pids = nodeProcesses(dir, leader);
  signalAll(pids, 'SIGSTOP');
  try {
    await sleep(ms);
  } finally {
    signalAll(pids, 'SIGCONT');
  }
  return leader;
}

/**
 * A planned change of leader through Patroni's REST API: the leader hands over to a synchronous
 * standby once it has everything. Resolves once the new leader runs, with both names.
 */
export async function switchover(dir: string): Promise<{ from: string; to: string }> {
  const ports = portsOf(dir);
  const cluster = await fetchCluster(ports.nodes);
  const leader = leaderOf(cluster);
  if (!leader) throw new Error(`the HA cluster in ${dir} has no running leader`);
  // In synchronous mode only the synchronous standby may take over.
  const candidate =
    cluster.members.find((member) => member.role === 'sync_standby' && isHealthyReplica(member)) ??
    cluster.members.find((member) => member !== leader && isHealthyReplica(member));
  if (!candidate) throw new Error(`no healthy standby to switch over to in ${dir}`);
  const leaderNode = ports.nodes.find((node) => node.name === leader.name)!;
  await restPost(
    leaderNode,
    '/switchover',
    { leader: leader.name, candidate: candidate.name },
    switchoverTimeoutMs,
  );
  await waitForCluster({
    dir,
    what: `switchover to ${candidate.name}`,
    timeoutMs: switchoverTimeoutMs,
    ready: (now) => leaderOf(now)?.name === candidate.name,
    watched: [candidate.name],
  });
  return { from: leader.name, to: candidate.name };
}

/** SIGKILL of one etcd member (0-based); `restartEtcdMember` brings it back on its data. */
export async function killEtcdMember(dir: string, index: number): Promise<void> {
  const pid = etcdMemberPid(dir, index);
  if (!pid) return;
  signalAll([pid], 'SIGKILL');
  await waitUntilDead([pid], killWaitMs, `etcd ${etcdMemberLayout(dir, index).name}`);
}

export async function restartEtcdMember(
  dir: string,
  index: number,
  log: (line: string) => void = () => {},
): Promise<void> {
  const ports = portsOf(dir);
  startEtcdMember(dir, ports.etcd, index, postgresRunAs(), log);
  await waitForEtcdMember(dir, ports.etcd, index);
}

/**
 * Starts a stopped or killed node's Patroni again and waits until it replays the leader's WAL:
 * Patroni runs crash recovery, then pg_rewind onto the new timeline (or a fresh base backup
 * where rewinding fails), and the node rejoins as a standby. Resolves with its role then.
 */
export async function restartNode(
  dir: string,
  name: string,
  log: (line: string) => void = () => {},
): Promise<string> {
  const ports = portsOf(dir);
  const node = ports.nodes.find((candidate) => candidate.name === name);
  if (!node)
    throw new Error(`no node ${name} in ${dir} (nodes: ${ports.nodes.map((n) => n.name).join(', ')})`);
  await forgetZombiePostmaster(dir, name);
  startPatroniNode(
    { dir, ports, secrets: ensureSecrets(dir), binDir: findPostgresBinDir(), runAs: postgresRunAs(), log },
    node,
  );
  const cluster = await waitForCluster({
    dir,
    what: `node ${name} rejoining`,
    timeoutMs: rejoinTimeoutMs,
    ready: (now) => {
      const member = now.members.find((candidate) => candidate.name === name);
      return isHealthyReplica(member) || leaderOf(now)?.name === name;
    },
    watched: [name],
  });
  return cluster.members.find((member) => member.name === name)?.role ?? 'unknown';
}
