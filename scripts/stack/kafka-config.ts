import { loopbackHost } from './ports.ts';

/**
 * The ports of one KRaft node. `brokerPort` is the client listener (PLAINTEXT, what services and
 * tests connect to); `internalPort` carries broker-to-broker replication and the stack's own
 * readiness probes; `controllerPort` the Raft quorum. Clients are told `advertisedPort` (default
 * `brokerPort`): a fault-injecting proxy can then sit in front of each broker while replication
 * and the quorum stay direct, since they use listeners that advertise the real ports.
 */
export type KafkaNodePorts = {
  brokerPort: number;
  internalPort: number;
  controllerPort: number;
  advertisedPort?: number;
};

export type KafkaNodeConfig = {
  /** 1-based, as KRaft numbers its voters. */
  nodeId: number;
  ports: KafkaNodePorts;
  /** Every node's `id@host:controllerPort`, the same list on each node. */
  quorumVoters: string;
  brokerCount: number;
  dataDir: string;
};

/** One node per broker is also the cluster size Kafka's own defaults assume for RF 3. */
export const kafkaBrokerCountMax = 5;
const replicationFactorMax = 3;

/**
 * Replication that a cluster of `brokerCount` can hold: RF 3 from three brokers up, with two
 * in-sync replicas needed for an acks=all write, so one broker may die without losing an
 * acknowledged record or refusing writes. One broker keeps RF 1 and min ISR 1, as it always had.
 */
export function replicationFor(brokerCount: number): { factor: number; minInSync: number } {
  const factor = Math.min(brokerCount, replicationFactorMax);
  return { factor, minInSync: Math.max(1, factor - 1) };
}

/**
 * Every node is broker and controller at once (combined mode): a 3-node quorum then costs three
 * JVMs instead of six on a 2-core machine, and still survives one node's death (2 of 3 voters
 * remain). Separate controllers would matter only if a controller's load could hurt a broker's.
 */
export function serverProperties(node: KafkaNodeConfig): string {
  const { ports } = node;
  const replication = replicationFor(node.brokerCount);
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': node.quorumVoters,
    listeners: [
      `PLAINTEXT://${loopbackHost}:${ports.brokerPort}`,
      `INTERNAL://${loopbackHost}:${ports.internalPort}`,
      `CONTROLLER://${loopbackHost}:${ports.controllerPort}`,
    ].join(','),
    'advertised.listeners': [
      `PLAINTEXT://${loopbackHost}:${ports.advertisedPort ?? ports.brokerPort}`,
      `INTERNAL://${loopbackHost}:${ports.internalPort}`,
    ].join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'INTERNAL',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': node.dataDir,
    'num.partitions': 1,
    'default.replication.factor': replication.factor,
    'min.insync.replicas': replication.minInSync,
    'offsets.topic.replication.factor': replication.factor,
    // 50 partitions (the default) make the first consumer group wait seconds on a 2-core box.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': replication.factor,
    'transaction.state.log.min.isr': replication.minInSync,
    'transaction.state.log.num.partitions': 5,
    // An out-of-sync replica must never become leader: that is how acknowledged records get lost.
    'unclean.leader.election.enable': false,
    'group.initial.rebalance.delay.ms': 0,
    // In a combined cluster stopped as a whole, the last node's controlled shutdown waits minutes
    // for a quorum that has already gone. Without it, a stopped broker still closes its logs
    // cleanly; its partitions move when the quorum fences it (broker.session.timeout.ms, 9 s),
    // exactly as after a crash, which is the case the cluster is here to survive anyway.
    'controlled.shutdown.enable': node.brokerCount === 1,
    // Services create their topics with the admin client; a typo must not create a topic.
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'log.retention.hours': 168,
    'log.segment.bytes': 64 * 1024 * 1024,
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/** Log4j 1.x (reload4j) config: everything to a rolling file in the stack dir. */
export function log4jProperties(logFile: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${logFile}`,
    'log4j.appender.file.MaxFileSize=20MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    '',
  ].join('\n');
}
