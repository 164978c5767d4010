import { type StackState, stackDown, stackUp } from '../../scripts/stack/index.ts';
import type { ProxyRoute } from './chaos-network.ts';
import { startFaultProxy } from './fault-proxy.ts';

/**
 * The stack a chaos run may hurt: durable PostgreSQL (fsync, synchronous_commit and full page
 * writes on, so a SIGKILL must lose nothing acknowledged), NATS, and `kafkaBrokers` Kafka brokers
 * that each advertise a fault proxy's port, so every Kafka client (the replicas, the chaos reader)
 * goes through a proxy the nemesis controls. Never a shared stack.
 * With `postgresNodes` of 2 or more, PostgreSQL runs highly available (Patroni, etcd, HAProxy;
 * durable and synchronously replicated as it always is) and the stack's PostgreSQL URLs lead
 * through HAProxy to whichever node leads.
 */
export type ChaosStack = { stack: StackState; kafkaRoutes: ProxyRoute[] };

export async function chaosStackUp(options: {
  dir: string;
  kafkaBrokers: number;
  /** 1 (the default): one durable server; 2 or more: that many nodes under Patroni. */
  postgresNodes?: number;
  log?: (line: string) => void;
}): Promise<ChaosStack> {
  let stack: StackState | undefined;
  // The brokers must be told the proxies' ports before they start, so the proxies start first
  // and learn each broker's own port once the stack is up; until then they refuse connections.
  const kafkaRoutes: ProxyRoute[] = await Promise.all(
    Array.from({ length: options.kafkaBrokers }, async (_, index) => ({
      dependency: 'kafka' as const,
      proxy: await startFaultProxy({
        name: `kafka-${index + 1}`,
        targetPort: () => stack?.kafka.nodes?.[index]?.port,
      }),
    })),
  );
  try {
    stack = await stackUp({
      dir: options.dir,
      kafkaBrokers: options.kafkaBrokers,
      kafkaAdvertisedPorts: kafkaRoutes.map((route) => route.proxy.port),
      // Said even when 1: the default would be whatever ran last in the dir.
      postgresNodes: options.postgresNodes ?? 1,
      quiet: options.log === undefined,
      log: options.log,
    });
  } catch (error) {
    await Promise.all(kafkaRoutes.map((route) => route.proxy.close()));
    throw error;
  }
  return { stack, kafkaRoutes };
}

export async function chaosStackDown(dir: string, chaos: ChaosStack | undefined): Promise<void> {
  await Promise.all((chaos?.kafkaRoutes ?? []).map((route) => route.proxy.close()));
  await stackDown({ dir });
}
