import { loopbackHost } from '../ports.ts';
import type { PatroniNodePorts } from './state.ts';

/**
 * HAProxy in front of the nodes: one read-write port that always leads to the current primary.
 * Every node is a backend server, but only the one whose Patroni answers 200 on /primary (the
 * leader-key holder, by Patroni's own in-memory expiry, so a node frozen past its ttl answers 503
 * the moment it wakes) is up. Checks every second, two failures mark a node down and kill its
 * open sessions, so a client of a demoted primary is cut off rather than left writing to a
 * server that will refuse or rewind its work.
 */
export function haproxyConfig(port: number, nodes: PatroniNodePorts[]): string {
  const servers = nodes.map(
    (node) =>
      `  server ${node.name} ${loopbackHost}:${node.pgPort} check port ${node.restPort} ` +
      'inter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
  );
  return [
    'global',
    '  maxconn 2000',
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    // Pools keep idle connections open for minutes; HAProxy must not cut them before they do.
    '  timeout client 30m',
    '  timeout server 30m',
    '  timeout check 2s',
    '',
    'listen postgres_rw',
    `  bind ${loopbackHost}:${port}`,
    '  option httpchk',
    '  http-check send meth GET uri /primary',
    '  http-check expect status 200',
    ...servers,
    '',
  ].join('\n');
}
