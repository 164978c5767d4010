import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loopbackHost, readRememberedPort } from './ports.ts';
import { isOurProcess, readLogTail, readPidFile, runCommand, spawnDetached } from './processes.ts';
import { waitUntil } from './wait.ts';

/**
 * One KRaft node of the stack's Kafka: where it keeps its files, and how it is formatted, started
 * and found again. kafka.ts decides how many nodes run and with which ports.
 */

const javaBinary = process.env.WALLET_JAVA_BIN ?? 'java';
const heapOptions = ['-Xms256m', '-Xmx512m'];
export const kafkaReadyTimeoutMs = 120_000;
const probeTimeoutMs = 5_000;

/** `<dir>/kafka`: one broker lives right there (as it always has), a cluster's nodes below it. */
export function kafkaRoot(dir: string): string {
  return join(dir, 'kafka');
}

export function kafkaNodeLayout(dir: string, index: number, brokerCount: number) {
  const root = brokerCount === 1 ? kafkaRoot(dir) : join(kafkaRoot(dir), 'cluster', `node-${index + 1}`);
  return {
    root,
    data: join(root, 'data'),
    serverProperties: join(root, 'server.properties'),
    log4jProperties: join(root, 'log4j.properties'),
    serverLog: join(root, 'server.log'),
    processLog: join(root, 'process.log'),
    pidFile: join(root, 'kafka.pid'),
    portFile: join(root, 'port'),
    internalPortFile: join(root, 'internal-port'),
    controllerPortFile: join(root, 'controller-port'),
  };
}

export type KafkaNodeLayout = ReturnType<typeof kafkaNodeLayout>;

/** The node's pid when it runs, found by its pid file and checked against its own config path. */
export function kafkaNodePid(paths: KafkaNodeLayout): number | undefined {
  const pid = readPidFile(paths.pidFile);
  return isOurProcess(pid, paths.serverProperties) ? pid : undefined;
}

/** Where the stack's own probes reach a node: its INTERNAL listener, never through a proxy. */
export function internalAddress(paths: KafkaNodeLayout): string {
  const port = readRememberedPort(paths.internalPortFile);
  if (!port) throw new Error(`no Kafka node was ever started in ${paths.root}`);
  return `${loopbackHost}:${port}`;
}

function javaArgs(paths: KafkaNodeLayout, libsDir: string): string[] {
  return [
    ...heapOptions,
    // Sized for a machine the broker shares with everything else (CI runs on two cores): the C2
    // compiler spent about half of each broker's CPU in its first minutes, and again after every
    // restart, for code that then serves a few thousand records a second; C1's code is fast
    // enough for that. Serial GC keeps collection on one thread instead of G1's concurrent ones.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${paths.log4jProperties}`,
    `-Dkafka.logs.dir=${paths.root}`,
    '-cp',
    `${libsDir}/*`,
  ];
}

/** Formats the node's storage once; a formatted data dir is left as it is. */
export async function formatKafkaNode(
  paths: KafkaNodeLayout,
  libsDir: string,
  clusterId: string,
  log: (line: string) => void,
): Promise<void> {
  mkdirSync(paths.data, { recursive: true });
  if (existsSync(join(paths.data, 'meta.properties'))) return;
  log(`kafka: formatting storage in ${paths.data}`);
  const format = ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', paths.serverProperties];
  await runCommand(javaBinary, [...javaArgs(paths, libsDir), ...format, '--ignore-formatted'], {
    cwd: paths.root,
  }).catch((error) => kafkaNodeFailure(paths, 'storage format', error));
}

/** Starts the node from the server.properties already in its dir and records its pid. */
export function spawnKafkaNode(paths: KafkaNodeLayout, libsDir: string): number {
  const pid = spawnDetached(
    javaBinary,
    [...javaArgs(paths, libsDir), 'kafka.Kafka', paths.serverProperties],
    {
      cwd: paths.root,
      logFile: paths.processLog,
    },
  );
  writeFileSync(paths.pidFile, `${pid}\n`);
  return pid;
}

/**
 * Readiness of one node that (re)joins a running cluster: it answers a metadata request on its
 * internal listener and lists itself among the live brokers, i.e. it registered with the quorum.
 */
export async function waitForKafkaNode(paths: KafkaNodeLayout, nodeId: number, pid: number): Promise<void> {
  const address = internalAddress(paths);
  await waitUntil(
    async () => {
      const admin = new Kafka({
        clientId: 'wallet-stack-node-probe',
        brokers: [address],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 2_000,
        requestTimeout: probeTimeoutMs,
        retry: { retries: 0 },
      }).admin();
      await admin.connect();
      try {
        const { brokers } = await admin.describeCluster();
        if (!brokers.some((broker) => broker.nodeId === nodeId))
          throw new Error(`node ${nodeId} not registered`);
      } finally {
        await admin.disconnect();
      }
    },
    {
      what: `kafka node ${nodeId}`,
      timeoutMs: kafkaReadyTimeoutMs,
      intervalMs: 500,
      check: () => {
        if (!isOurProcess(pid, paths.serverProperties)) throw new Error(`kafka node ${nodeId} exited`);
      },
    },
  ).catch((error) => kafkaNodeFailure(paths, 'readiness', error));
}

export function kafkaNodeFailure(paths: KafkaNodeLayout, step: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const tails = [readLogTail(paths.serverLog), readLogTail(paths.processLog, 15)].join('\n');
  throw new Error(`kafka failed to start (${step}): ${message}\n${tails}`);
}
