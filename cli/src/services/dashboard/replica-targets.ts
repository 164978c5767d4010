import type { CliSettings } from '../config/cli-settings.ts';
import { readServicesFile, type ServiceReplica } from '../config/services-file.ts';

/**
 * The replicas services.json lists behind the URLs this dashboard talks to. Read afresh on each
 * call: `npm start` rewrites the file when a replica restarts, possibly on another port. A
 * service reached at another URL (a flag or env pointing elsewhere) is not the one the local
 * file describes, so its replicas there are left out rather than shown as if they were its own.
 */
export function replicasBehind(
  settings: Pick<CliSettings, 'stackDir' | 'userServiceUrl' | 'transactionsServiceUrl'>,
): ServiceReplica[] {
  const file = readServicesFile(settings.stackDir);
  if (!file?.replicas) return [];
  const balanced = {
    'user-service': sameUrl(file.userServiceUrl, settings.userServiceUrl),
    'transactions-service': sameUrl(file.transactionsServiceUrl, settings.transactionsServiceUrl),
  };
  return file.replicas.filter((replica) => balanced[replica.service]);
}

/** Equal once normalised ("http://127.0.0.1:8080" and "http://127.0.0.1:8080/" are one service). */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}
