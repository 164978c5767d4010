import { loopbackHost } from './ports.ts';

export type KafkaPorts = { brokerPort: number; controllerPort: number };

const nodeId = 1;

/** A single KRaft node that is both broker and controller, on loopback only. */
export function serverProperties(ports: KafkaPorts, dataDir: string): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.voters': `${nodeId}@${loopbackHost}:${ports.controllerPort}`,
    listeners: `PLAINTEXT://${loopbackHost}:${ports.brokerPort},CONTROLLER://${loopbackHost}:${ports.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${loopbackHost}:${ports.brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    // 50 partitions (the default) make the first consumer group wait seconds on a 2-core box.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 5,
    'group.initial.rebalance.delay.ms': 0,
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
