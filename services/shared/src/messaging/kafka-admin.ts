import type { Admin, Kafka } from 'kafkajs';
import { singleFlight } from '../http/single-flight.ts';
import { withinTimeout } from '../within-timeout.ts';

/**
 * Retries of one probe request (kafkajs' default is 8, with backoff): a readiness answer is
 * wanted now, and the next probe asks again anyway.
 */
export const KAFKA_PROBE_RETRIES_MAX = 1;
/**
 * Shutdown waits at most this for the admin client to close: on a stalled broker kafkajs waits
 * out its request timeout first, and a stop must not; the close goes on in the background.
 */
export const KAFKA_ADMIN_CLOSE_WAIT_MS = 1_000;

/** What the services ask Kafka's admin API at run time: is the cluster there, how far behind is a group. */
export type SharedKafkaAdmin = {
  /** True when the cluster answers a metadata request; concurrent callers share one request. */
  ping(): Promise<boolean>;
  /** Offsets behind the end of each partition, summed per topic, for `groupId`. */
  lag(groupId: string, topics: string[]): Promise<Record<string, number>>;
  disconnect(): Promise<void>;
};

/**
 * One long-lived admin client per process, connected on first use, for probes and gauges:
 * before, every /readyz and /metrics call opened (and tore down) an admin connection of its
 * own, so probes hammered during a Kafka stall piled up connections. A request that fails
 * drops the client (its connection may be dead after a broker restart); the next use connects
 * a fresh one, one at a time since every caller goes through the same promise.
 */
export function createSharedKafkaAdmin(kafka: Kafka): SharedKafkaAdmin {
  let current: { admin: Admin; connected: Promise<void> } | undefined;
  let closed = false;

  const connect = () => {
    const admin = kafka.admin({ retry: { retries: KAFKA_PROBE_RETRIES_MAX } });
    return { admin, connected: admin.connect() };
  };
  const drop = (client: { admin: Admin }) => {
    if (current === client) current = undefined;
    void client.admin.disconnect().catch(() => {});
  };

  const withAdmin = async <T>(work: (admin: Admin) => Promise<T>): Promise<T> => {
    if (closed) throw new Error('the shared Kafka admin client is closed');
    current ??= connect();
    const client = current;
    try {
      await client.connected;
      return await work(client.admin);
    } catch (error) {
      drop(client);
      throw error;
    }
  };

  return {
    ping: singleFlight(() =>
      withAdmin((admin) => admin.describeCluster()).then(
        () => true,
        () => false,
      ),
    ),
    lag: (groupId, topics) => withAdmin((admin) => readConsumerLag(admin, groupId, topics)),
    async disconnect() {
      closed = true;
      const last = current;
      current = undefined;
      if (last) await withinTimeout(last.admin.disconnect(), KAFKA_ADMIN_CLOSE_WAIT_MS).catch(() => {});
    },
  };
}

/** Offsets behind the end of each partition, summed per topic; a partition never committed counts from its start. */
export async function readConsumerLag(
  admin: Admin,
  groupId: string,
  topics: string[],
): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const topic of topics) {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committedByPartition = new Map(
      (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
    );
    let lag = 0n;
    for (const end of ends) {
      const done = committedByPartition.get(end.partition) ?? -1n;
      const start = done < 0n ? BigInt(end.low) : done;
      lag += BigInt(end.high) - start;
    }
    result[topic] = Number(lag);
  }
  return result;
}
