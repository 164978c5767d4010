import { request } from 'undici';
import { CLI_USER_AGENT } from '../api/wallet-apis.ts';
import { describeNetworkError } from '../http/network-errors.ts';
import type { ReplicaHealth } from './replica-health.ts';

/**
 * A replica's /readyz answers within 2 s even when a dependency hangs (READINESS_CHECK_TIMEOUT_MS
 * in the services); past this it is stuck, and the poll cycle must not wait on it any longer.
 */
export const REPLICA_PROBE_TIMEOUT_MS = 3_000;

export type ReplicaProbe = Pick<ReplicaHealth, 'state' | 'reason'>;

/**
 * GET <replica>/readyz, straight to the replica rather than through the load balancer (which
 * would answer for whichever replica it picks). Never throws. Unauthenticated: /readyz is public.
 */
export async function probeReplica(url: string): Promise<ReplicaProbe> {
  const signal = AbortSignal.timeout(REPLICA_PROBE_TIMEOUT_MS);
  try {
    const response = await request(new URL('readyz', url.endsWith('/') ? url : `${url}/`), {
      method: 'GET',
      headers: { 'user-agent': CLI_USER_AGENT, accept: 'application/json, application/problem+json' },
      signal,
    });
    const body = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) return { state: 'ready' };
    return { state: 'not-ready', reason: notReadyReason(response.statusCode, body) };
  } catch (error) {
    return { state: 'unreachable', reason: unreachableReason(error, signal.aborted) };
  }
}

/** Short: it shares an 80-column line with the replica's name and address. */
function unreachableReason(error: unknown, timedOut: boolean): string {
  if (timedOut) return `no answer within ${REPLICA_PROBE_TIMEOUT_MS / 1_000} s`;
  if ((error as { code?: unknown } | undefined)?.code === 'ECONNREFUSED') return 'connection refused';
  return describeNetworkError(error);
}

/** The services' 503 problem+json names the failing checks; anything else is shown by its status. */
function notReadyReason(status: number, body: string): string {
  try {
    const problem = JSON.parse(body) as { failing?: unknown; detail?: unknown; title?: unknown };
    if (Array.isArray(problem.failing) && problem.failing.length > 0) {
      return `failing ${problem.failing.join(', ')}`;
    }
    if (typeof problem.detail === 'string' && problem.detail !== '') return problem.detail;
    if (typeof problem.title === 'string' && problem.title !== '') return `${status} ${problem.title}`;
  } catch {
    // not JSON: the status says enough
  }
  return `HTTP ${status}`;
}
