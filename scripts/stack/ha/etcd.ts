import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loopbackHost } from '../ports.ts';
import {
  isOurProcess,
  type RunAs,
  readLogTail,
  readPidFile,
  spawnDetached,
  stopProcess,
} from '../processes.ts';
import { makeAncestorsTraversable } from '../traversable.ts';
import { waitUntil } from '../wait.ts';
import { etcdMemberLayout } from './layout.ts';
import type { EtcdMemberPorts, EtcdMemberState } from './state.ts';

const etcdBinary = process.env.WALLET_ETCD_BIN ?? 'etcd';
const readyTimeoutMs = 30_000;
const stopGraceMs = 10_000;
const probeTimeoutMs = 2_000;

/**
 * Raft timings, twice etcd's defaults (100 ms, 1 s): on a 2-core machine that also runs Kafka and
 * PostgreSQL a member can miss 100 ms heartbeats and start needless elections, each of which stalls
 * Patroni's writes. 2 s stays well under Patroni's retry_timeout (patroni-config.ts), so losing the
 * etcd leader never makes the PostgreSQL primary give up its role.
 */
const heartbeatMs = 200;
const electionTimeoutMs = 2_000;

export function etcdClientUrl(member: EtcdMemberPorts): string {
  return `http://${loopbackHost}:${member.clientPort}`;
}

function peerUrl(member: EtcdMemberPorts): string {
  return `http://${loopbackHost}:${member.peerPort}`;
}

/** Starts every member not running yet and waits until the cluster has a leader. */
export async function startEtcdCluster(
  dir: string,
  members: EtcdMemberPorts[],
  runAs: RunAs | undefined,
  log: (line: string) => void,
): Promise<EtcdMemberState[]> {
  const pids = members.map((_, index) => startEtcdMember(dir, members, index, runAs, log));
  await Promise.all(members.map((_, index) => waitForEtcdMember(dir, members, index)));
  return members.map((member, index) => ({ ...member, pid: pids[index]! }));
}

/**
 * Starts one member (again) on its ports and data: a member whose data dir exists rejoins with
 * what it has, and etcd ignores the --initial-cluster flags then.
 */
export function startEtcdMember(
  dir: string,
  members: EtcdMemberPorts[],
  index: number,
  runAs: RunAs | undefined,
  log: (line: string) => void,
): number {
  const paths = etcdMemberLayout(dir, index);
  const member = members[index];
  if (!member) throw new Error(`no etcd member ${index} (the cluster has ${members.length})`);
  const running = etcdMemberPid(dir, index);
  if (running) return running;
  mkdirSync(paths.data, { recursive: true, mode: 0o700 });
  if (runAs) {
    makeAncestorsTraversable(paths.root, log);
    execFileSync('chown', ['-R', `${runAs.uid}:${runAs.gid}`, paths.root]);
  }
  const args = [
    '--name',
    member.name,
    '--data-dir',
    paths.data,
    '--listen-client-urls',
    etcdClientUrl(member),
    '--advertise-client-urls',
    etcdClientUrl(member),
    '--listen-peer-urls',
    peerUrl(member),
    '--initial-advertise-peer-urls',
    peerUrl(member),
    '--initial-cluster',
    members.map((other) => `${other.name}=${peerUrl(other)}`).join(','),
    '--initial-cluster-state',
    'new',
    // Unique per stack dir, so members of two stacks on one machine can never join each other.
    '--initial-cluster-token',
    `wallet-ha-${dir}`,
    '--heartbeat-interval',
    String(heartbeatMs),
    '--election-timeout',
    String(electionTimeoutMs),
    // Patroni rewrites its keys every loop_wait; without compaction the history grows for ever.
    '--auto-compaction-mode',
    'periodic',
    '--auto-compaction-retention',
    '1h',
    // Patroni speaks etcd's v2 API (why: patroni-config.ts), off by default in etcd 3.4.
    '--enable-v2=true',
    '--logger',
    'zap',
    '--log-level',
    'warn',
  ];
  log(`etcd: starting ${member.name} (client ${member.clientPort}, peer ${member.peerPort})`);
  const pid = spawnDetached(etcdBinary, args, { cwd: paths.root, logFile: paths.logFile, runAs });
  writeFileSync(paths.pidFile, `${pid}\n`);
  return pid;
}

/** Healthy means the member answers and sees a leader (etcd's /health says false without one). */
export async function waitForEtcdMember(
  dir: string,
  members: EtcdMemberPorts[],
  index: number,
): Promise<void> {
  const paths = etcdMemberLayout(dir, index);
  const member = members[index]!;
  await waitUntil(() => probeEtcdMember(member), {
    what: `etcd ${member.name}`,
    timeoutMs: readyTimeoutMs,
    check: () => {
      if (!etcdMemberPid(dir, index)) throw new Error(`etcd ${member.name} exited during startup`);
    },
  }).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`etcd failed to start: ${message}\n${readLogTail(paths.logFile)}`);
  });
}

export async function probeEtcdMember(member: EtcdMemberPorts): Promise<void> {
  const response = await fetch(`${etcdClientUrl(member)}/health`, {
    signal: AbortSignal.timeout(probeTimeoutMs),
  });
  const body = (await response.json()) as { health?: string };
  if (body.health !== 'true') throw new Error(`etcd ${member.name} unhealthy: ${JSON.stringify(body)}`);
}

export function etcdMemberPid(dir: string, index: number): number | undefined {
  const paths = etcdMemberLayout(dir, index);
  const pid = readPidFile(paths.pidFile);
  return isOurProcess(pid, paths.data) ? pid : undefined;
}

export async function stopEtcdMember(dir: string, index: number): Promise<void> {
  const pid = etcdMemberPid(dir, index);
  if (pid) await stopProcess(pid, etcdMemberLayout(dir, index).data, stopGraceMs);
}
