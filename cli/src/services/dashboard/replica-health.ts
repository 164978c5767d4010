import type { ServiceReplica } from '../config/services-file.ts';

/** `unknown` until the first probe answers; `not-ready` answered /readyz with an error status. */
export type ReplicaState = 'unknown' | 'ready' | 'not-ready' | 'unreachable';

/** One replica as the dashboard shows it; `reason` is what /readyz (or the network) said was wrong. */
export type ReplicaHealth = Pick<ServiceReplica, 'service' | 'name' | 'url'> & {
  state: ReplicaState;
  reason?: string;
};

export function sameReplicaHealth(a: readonly ReplicaHealth[], b: readonly ReplicaHealth[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (replica, index) =>
        replica.service === b[index]!.service &&
        replica.name === b[index]!.name &&
        replica.url === b[index]!.url &&
        replica.state === b[index]!.state &&
        replica.reason === b[index]!.reason,
    )
  );
}

/**
 * The replicas services.json lists now, each keeping the health last seen for it while its name
 * and URL stay the same. A replica restarted on another port starts over as `unknown`: what its
 * old port answered says nothing about the new process.
 */
export function carryOver(
  previous: readonly ReplicaHealth[],
  listed: readonly ServiceReplica[],
): ReplicaHealth[] {
  return listed.map(({ service, name, url }) => {
    const seen = previous.find((replica) => replica.name === name && replica.url === url);
    return seen ? { ...seen, service } : { service, name, url, state: 'unknown' };
  });
}
