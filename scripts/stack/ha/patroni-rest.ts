import { loopbackHost } from '../ports.ts';
import type { PatroniNodePorts } from './state.ts';

const requestTimeoutMs = 2_000;

/** One member as Patroni's GET /cluster lists it. */
export type PatroniMember = {
  name: string;
  /** leader, sync_standby or replica. */
  role: string;
  /** running, streaming, starting, stopped, crashed, … */
  state: string;
  host?: string;
  port?: number;
  timeline?: number;
  /** Bytes behind the leader; 'unknown' when Patroni cannot tell. */
  lag?: number | string;
};

export type PatroniCluster = { members: PatroniMember[] };

export function restUrl(node: PatroniNodePorts, path: string): string {
  return `http://${loopbackHost}:${node.restPort}${path}`;
}

export async function restGet<T>(node: PatroniNodePorts, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(restUrl(node, path), { signal: AbortSignal.timeout(requestTimeoutMs) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

export async function restPost(
  node: PatroniNodePorts,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<string> {
  const response = await fetch(restUrl(node, path), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} on ${node.name}: HTTP ${response.status} ${text}`);
  return text;
}

/**
 * The cluster as the first node that answers sees it (every node reads it from etcd). A frozen
 * or dead node is skipped after the request timeout.
 */
export async function fetchCluster(nodes: PatroniNodePorts[]): Promise<PatroniCluster> {
  const errors: string[] = [];
  for (const node of nodes) {
    try {
      const { status, body } = await restGet<PatroniCluster>(node, '/cluster');
      if (status === 200 && Array.isArray(body.members)) return body;
      errors.push(`${node.name}: HTTP ${status}`);
    } catch (error) {
      errors.push(`${node.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no Patroni REST API answered /cluster (${errors.join('; ')})`);
}

export function leaderOf(cluster: PatroniCluster): PatroniMember | undefined {
  return cluster.members.find((member) => member.role === 'leader' && member.state === 'running');
}

/** A standby that replays the leader's WAL (Patroni 3.0 says running, later ones streaming). */
export function isHealthyReplica(member: PatroniMember | undefined): boolean {
  return (
    member !== undefined &&
    ['replica', 'sync_standby'].includes(member.role) &&
    ['running', 'streaming'].includes(member.state)
  );
}
