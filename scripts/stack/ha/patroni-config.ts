import { loopbackHost } from '../ports.ts';
import { postgresUser } from '../postgres.ts';
import { POSTGRES_TUNING } from '../postgres-tuning.ts';
import { etcdClientUrl } from './etcd.ts';
import { patroniNodeLayout } from './layout.ts';
import type { EtcdMemberPorts, HaSecrets, PatroniNodePorts } from './state.ts';

export const clusterScope = 'wallet';
export const replicationUser = 'replicator';
export const rewindUser = 'rewinder';

/**
 * Timings for a machine where a failover should take seconds, not the defaults' ~30 s
 * (ttl 30, loop_wait 10, retry_timeout 10):
 * - ttl 10: the leader key lives 10 s after the leader's last renewal, so a dead or frozen
 *   primary is replaced 10-12 s after it stopped; much lower and a primary that misses a couple
 *   of loops on a busy 2-core machine (a Kafka start, a test run) loses its key for nothing.
 * - loop_wait 1: the leader renews every second and a standby notices the free key within one.
 * - retry_timeout 4: how long an etcd or PostgreSQL call may retry before the leader demotes
 *   itself; longer than an etcd leader election (2 s, etcd.ts) so losing one etcd member is not
 *   a failover. Patroni wants ttl >= loop_wait + 2 × retry_timeout: 10 >= 1 + 8.
 */
const ttlSeconds = 10;
const loopWaitSeconds = 1;
const retryTimeoutSeconds = 4;
const connectionsMax = 200;

export type PatroniConfigInput = {
  dir: string;
  node: PatroniNodePorts;
  etcd: EtcdMemberPorts[];
  secrets: HaSecrets;
  binDir: string;
  /** Unix socket dir, or '' when the path is too long for a socket (TCP only then). */
  socketDir: string;
};

/** patroni.yml, as JSON: every JSON document is YAML, so no YAML writer is needed. */
export function patroniConfig(input: PatroniConfigInput): string {
  const paths = patroniNodeLayout(input.dir, input.node.name);
  const pgAddress = `${loopbackHost}:${input.node.pgPort}`;
  const restAddress = `${loopbackHost}:${input.node.restPort}`;
  const config = {
    scope: clusterScope,
    name: input.node.name,
    restapi: { listen: restAddress, connect_address: restAddress },
    // etcd's v2 API, not etcd3: Patroni 3.0.2's etcd3 code renews the leader key of a node that
    // wakes from a freeze longer than the ttl with a plain put under a new lease, overwriting
    // the key the standby took meanwhile: the frozen old primary took the lead back and the new
    // one demoted (seen 1 in ~8 runs of test/infra/ha-postgres.test.ts, with a write
    // acknowledged by the woken node). The v2 code renews with a compare-and-swap on its own
    // name, which fails once another node holds the key, and the woken node steps down.
    etcd: { hosts: input.etcd.map((member) => etcdClientUrl(member).replace('http://', '')) },
    bootstrap: {
      // Written to etcd once, by the node that bootstraps; shared by all nodes from then on.
      dcs: {
        ttl: ttlSeconds,
        loop_wait: loopWaitSeconds,
        retry_timeout: retryTimeoutSeconds,
        // A commit is acknowledged only once the synchronous standby has it on disk, and Patroni
        // promotes only that standby, so a failover never loses an acknowledged commit.
        //
        // Not strict: when no standby is there (it died, or is being rebuilt) Patroni empties
        // synchronous_standby_names and the primary goes on alone, asynchronously, until a standby
        // is back in sync. The alternative, synchronous_mode_strict, blocks every commit while the
        // standby is down: with two nodes, one failure would stop all writes, which is exactly
        // what HA is here to avoid. What non-strict gives up: commits acknowledged while the
        // primary is alone are on one machine only; lose that machine too before a standby has
        // caught up and they are gone (Patroni then refuses to promote the stale standby on its
        // own, as it was not the synchronous one: an operator decides). Two failures in a row is
        // the price of availability we accept; use N >= 3 nodes to make it a three-failure case.
        synchronous_mode: true,
        synchronous_mode_strict: false,
        // Without it a leader that cannot reach etcd for a moment (killing etcd's own leader
        // leaves the others electing for ~2 s, and Patroni tries each member for retry_timeout / 3)
        // demotes itself: seen as ~3 s of refused writes with no node at fault. With it, the
        // leader stays primary while every other Patroni confirms over its REST API that none
        // of them took over; a node cut off from etcd and from its peers still steps down.
        failsafe_mode: true,
        // Restart a crashed postmaster in place for this long before giving up the leader key;
        // the default 300 s would keep writes down for 5 minutes after a postmaster crash.
        primary_start_timeout: 10,
        postgresql: {
          // A failed primary that comes back rewinds to the new timeline instead of being
          // rebuilt from scratch (pg_rewind needs wal_log_hints or data checksums: both below).
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            wal_level: 'replica',
            hot_standby: 'on',
            wal_log_hints: 'on',
            max_connections: connectionsMax,
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_keep_size: '128MB',
            // Durable: this is the HA cluster's whole point. (Defaults, stated so none is lost.)
            fsync: 'on',
            synchronous_commit: 'on',
            full_page_writes: 'on',
            // As the single server's, so the bench's --ha compares replication and nothing else.
            ...POSTGRES_TUNING,
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, 'data-checksums'],
    },
    postgresql: {
      listen: pgAddress,
      connect_address: pgAddress,
      data_dir: paths.data,
      bin_dir: input.binDir,
      pgpass: paths.pgpassFile,
      // If pg_rewind cannot bring an old primary back, take a fresh copy instead of staying out.
      remove_data_directory_on_rewind_failure: true,
      authentication: {
        // The same superuser as the single node's (initdb -U wallet), so the URLs look the same.
        superuser: { username: postgresUser, password: input.secrets.superuser },
        replication: { username: replicationUser, password: input.secrets.replication },
        rewind: { username: rewindUser, password: input.secrets.rewind },
      },
      parameters: {
        // Never /var/run/postgresql: it may not exist, and is not ours to write to.
        unix_socket_directories: input.socketDir,
        log_destination: 'stderr',
        log_min_messages: 'warning',
      },
      // Local sockets are trusted: the socket sits in a 0700 dir of the postgres user.
      pg_hba: [
        'local all all trust',
        `host replication ${replicationUser} ${loopbackHost}/32 scram-sha-256`,
        `host all all ${loopbackHost}/32 scram-sha-256`,
      ],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
