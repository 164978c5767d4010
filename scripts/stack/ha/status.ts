import { isOurProcess, readLogTail } from '../processes.ts';
import { waitUntil } from '../wait.ts';
import { patroniNodeLayout } from './layout.ts';
import { patroniPid } from './patroni.ts';
import { fetchCluster, isHealthyReplica, leaderOf, type PatroniCluster } from './patroni-rest.ts';
import { readPorts } from './state.ts';

export type HaNodeStatus = {
  name: string;
  pgPort: number;
  restPort: number;
  /** The node's Patroni, undefined when it does not run. */
  pid: number | undefined;
  /** leader, sync_standby or replica; 'absent' when the node is not in the cluster's member list. */
  role: string;
  state: string;
  /** Bytes of WAL behind the leader (0 for the leader); undefined when unknown. */
  lagBytes: number | undefined;
  timeline: number | undefined;
};

export type HaStatus = { leader: string | undefined; nodes: HaNodeStatus[] };

/** Who leads and how each node is doing, as Patroni's GET /cluster tells it. */
export async function haStatus(dir: string): Promise<HaStatus> {
  const ports = readPorts(dir);
  if (!ports) throw new Error(`no HA PostgreSQL was ever started in ${dir}`);
  const cluster = await fetchCluster(ports.nodes);
  return {
    leader: leaderOf(cluster)?.name,
    nodes: ports.nodes.map((node) => {
      const member = cluster.members.find((candidate) => candidate.name === node.name);
      return {
        ...node,
        pid: patroniPid(dir, node.name),
        role: member?.role ?? 'absent',
        state: member?.state ?? 'absent',
        lagBytes: member?.role === 'leader' ? 0 : typeof member?.lag === 'number' ? member.lag : undefined,
        timeline: member?.timeline,
      };
    }),
  };
}

export type ClusterWait = {
  dir: string;
  what: string;
  timeoutMs: number;
  /** True once the cluster is as wanted. */
  ready: (cluster: PatroniCluster) => boolean;
  /** Nodes whose Patroni must keep running meanwhile: one that exits fails the wait at once. */
  watched: string[];
};

/** Waits for a cluster shape; a failure carries the log tail of the node that died or lagged. */
export async function waitForCluster(wait: ClusterWait): Promise<PatroniCluster> {
  const ports = readPorts(wait.dir);
  if (!ports) throw new Error(`no HA PostgreSQL ports in ${wait.dir}`);
  let last: PatroniCluster | undefined;
  try {
    return await waitUntil(
      async () => {
        last = await fetchCluster(ports.nodes);
        if (!wait.ready(last)) throw new Error(`cluster is ${describeCluster(last)}`);
        return last;
      },
      {
        what: wait.what,
        timeoutMs: wait.timeoutMs,
        intervalMs: 500,
        check: () => {
          for (const name of wait.watched) {
            const paths = patroniNodeLayout(wait.dir, name);
            if (!isOurProcess(patroniPid(wait.dir, name), paths.configFile)) {
              throw new Error(`patroni ${name} exited\n${readLogTail(paths.logFile)}`);
            }
          }
        },
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('--- last')) throw error;
    // Not ready in time: the node that is not where it should be is the one whose log explains.
    const lagging = wait.watched.filter((name) => {
      const member = last?.members.find((candidate) => candidate.name === name);
      return !member || (member.role !== 'leader' && !isHealthyReplica(member));
    });
    const tails = (lagging.length > 0 ? lagging : wait.watched)
      .map((name) => readLogTail(patroniNodeLayout(wait.dir, name).logFile))
      .join('\n');
    throw new Error(`${message}\n${tails}`);
  }
}

export function describeCluster(cluster: PatroniCluster): string {
  return (
    cluster.members.map((member) => `${member.name}=${member.role}/${member.state}`).join(', ') || 'empty'
  );
}
