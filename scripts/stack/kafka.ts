import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type KafkaNodePorts,
  kafkaBrokerCountMax,
  log4jProperties,
  serverProperties,
} from './kafka-config.ts';
import { ensureKafkaJars, kafkaVersion } from './kafka-jars.ts';
import {
  formatKafkaNode,
  internalAddress,
  type KafkaNodeLayout,
  kafkaNodeFailure,
  kafkaNodeLayout,
  kafkaNodePid,
  kafkaReadyTimeoutMs,
  kafkaRoot,
  spawnKafkaNode,
  waitForKafkaNode,
} from './kafka-node.ts';
import { probeKafka } from './kafka-probe.ts';
import {
  choosePort,
  findFreePort,
  isPortOpen,
  loopbackHost,
  readRememberedPort,
  rememberPort,
} from './ports.ts';
import { isOurProcess, stopProcess, waitForExit } from './processes.ts';
import type { KafkaNodeState, KafkaState } from './state.ts';
import { waitUntil } from './wait.ts';

export { kafkaNodeLayout } from './kafka-node.ts';

// A KRaft node flushes and closes its logs on SIGTERM; that takes a few seconds, rarely more.
const stopGraceMs = 30_000;
const killWaitMs = 10_000;

/** The single broker's files (`<dir>/kafka`), plus the files that describe the whole of Kafka. */
export function kafkaLayout(dir: string) {
  const root = kafkaRoot(dir);
  return {
    ...kafkaNodeLayout(dir, 0, 1),
    clusterIdFile: join(root, 'cluster-id'),
    /** How many brokers the last start ran: which layout kill/start of one broker use. */
    brokerCountFile: join(root, 'brokers'),
  };
}

export type StartKafkaOptions = {
  dir: string;
  cacheDir?: string;
  log: (line: string) => void;
  /** 1, or a cluster of up to `kafkaBrokerCountMax` KRaft nodes; default: as many as ran last in `dir`. */
  brokers?: number;
  /** Per broker, the port clients are told to use (a proxy's); default each broker's own port. */
  advertisedPorts?: readonly number[];
};

/**
 * A node that exits during start-up most often lost one of its ports: they are chosen free, but a
 * JVM binds them seconds later, and on a busy machine another process may take one meanwhile.
 * The whole start is tried again once on fresh ports.
 */
const startAttemptsMax = 2;

/** Starts `brokers` KRaft nodes (formatting their storage the first time) and waits until they serve. */
export async function startKafka(options: StartKafkaOptions, attempt = 1): Promise<KafkaState> {
  const brokerCount = options.brokers ?? kafkaBrokerCount(options.dir);
  checkBrokerOptions(brokerCount, options.advertisedPorts);
  const libsDir = await ensureKafkaJars({ cacheDir: options.cacheDir, log: options.log });
  mkdirSync(kafkaRoot(options.dir), { recursive: true });
  writeFileSync(kafkaLayout(options.dir).brokerCountFile, `${brokerCount}\n`);
  const nodes = await choosePorts(options.dir, brokerCount, options.advertisedPorts);
  const quorumVoters = nodes.map(
    (node, index) => `${index + 1}@${loopbackHost}:${node.ports.controllerPort}`,
  );
  const clusterId = ensureClusterId(clusterIdFile(options.dir, brokerCount));
  await Promise.all(
    nodes.map(({ paths, ports }, index) => {
      mkdirSync(paths.data, { recursive: true });
      const config = { nodeId: index + 1, ports, quorumVoters: quorumVoters.join(','), brokerCount };
      writeFileSync(paths.serverProperties, serverProperties({ ...config, dataDir: paths.data }));
      writeFileSync(paths.log4jProperties, log4jProperties(paths.serverLog));
      return formatKafkaNode(paths, libsDir, clusterId, options.log);
    }),
  );
  const addresses = nodes.map(({ ports }) => `${loopbackHost}:${ports.brokerPort}`).join(',');
  options.log(`kafka: starting ${kafkaVersion}, ${brokerCount} broker(s) on ${addresses}`);
  const pids = nodes.map(({ paths }) => spawnKafkaNode(paths, libsDir));
  try {
    // Through the internal listeners: a proxy the brokers advertise to clients may not run yet.
    await waitUntil(() => probeKafka(nodes.map(({ paths }) => internalAddress(paths))), {
      what: 'kafka',
      timeoutMs: kafkaReadyTimeoutMs,
      intervalMs: 500,
      check: () => {
        const gone = nodes.findIndex(
          ({ paths }, index) => !isOurProcess(pids[index], paths.serverProperties),
        );
        if (gone >= 0) throw new Error(`kafka node ${gone + 1} exited`);
      },
    });
  } catch (error) {
    await Promise.all(
      nodes.map(({ paths }, index) => stopProcess(pids[index]!, paths.serverProperties, stopGraceMs)),
    );
    if (attempt < startAttemptsMax && String(error).includes('exited')) {
      options.log(
        `kafka: ${error instanceof Error ? error.message : error} during start-up; again on fresh ports`,
      );
      for (const { paths } of nodes) {
        for (const file of [paths.portFile, paths.internalPortFile, paths.controllerPortFile])
          rmSync(file, { force: true });
      }
      return startKafka(options, attempt + 1);
    }
    kafkaNodeFailure(nodes[0]!.paths, 'readiness', error);
  }
  return kafkaState(nodes, pids);
}

/** Stops every Kafka node started in `dir` (one broker or a cluster), together. */
export async function stopKafka(dir: string): Promise<void> {
  await Promise.all(
    allNodeLayouts(dir).map(async (paths) => {
      const pid = kafkaNodePid(paths);
      if (pid) await stopProcess(pid, paths.serverProperties, stopGraceMs);
    }),
  );
}

/** The pid of the first running Kafka node in `dir`, if any runs. */
export function kafkaPid(dir: string): number | undefined {
  for (const paths of allNodeLayouts(dir)) {
    const pid = kafkaNodePid(paths);
    if (pid) return pid;
  }
  return undefined;
}

/** How many brokers the last `startKafka` in `dir` ran (1 when none ran yet). */
export function kafkaBrokerCount(dir: string): number {
  const file = kafkaLayout(dir).brokerCountFile;
  const count = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 1;
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

/** The ports every running node listens on (client, internal, controller), for `down` to wait on. */
export function kafkaPorts(dir: string): number[] {
  return allNodeLayouts(dir)
    .filter((paths) => kafkaNodePid(paths) !== undefined)
    .flatMap((paths) => [paths.portFile, paths.internalPortFile, paths.controllerPortFile])
    .map(readRememberedPort)
    .filter((port): port is number => port !== undefined);
}

/**
 * A crash: SIGKILL of broker `index` (0-based; 0 is the single broker too), no clean shutdown, no
 * flush. Resolves once the process is gone. No-op when it does not run.
 */
export async function killKafkaBroker(dir: string, index: number): Promise<void> {
  const paths = nodeLayoutOf(dir, index);
  const pid = kafkaNodePid(paths);
  if (!pid) return;
  process.kill(pid, 'SIGKILL');
  if (!(await waitForExit(pid, paths.serverProperties, killWaitMs))) {
    throw new Error(`kafka node ${index + 1} (pid ${pid}) survived SIGKILL`);
  }
  // The main thread shows as a zombie while the JVM's other threads still hold its sockets.
  await waitForPortsClosed(paths, index);
}

async function waitForPortsClosed(paths: KafkaNodeLayout, index: number): Promise<void> {
  const ports = [paths.portFile, paths.internalPortFile, paths.controllerPortFile]
    .map(readRememberedPort)
    .filter((port): port is number => port !== undefined);
  await waitUntil(
    async () => {
      for (const port of ports) {
        if (await isPortOpen(port)) throw new Error(`port ${port} still open`);
      }
    },
    { what: `ports of kafka node ${index + 1} closed`, timeoutMs: killWaitMs, intervalMs: 50 },
  );
}

/**
 * Starts broker `index` again with the ports, advertised addresses and data of its last run, and
 * waits until it has registered with the quorum. Catching up on replication happens after that.
 */
export async function startKafkaBroker(
  dir: string,
  index: number,
  options: { cacheDir?: string; log?: (line: string) => void } = {},
): Promise<number> {
  const paths = nodeLayoutOf(dir, index);
  const running = kafkaNodePid(paths);
  if (running) return running;
  if (!existsSync(paths.serverProperties)) throw new Error(`kafka node ${index + 1} never ran in ${dir}`);
  await waitForPortsClosed(paths, index);
  const libsDir = await ensureKafkaJars({ cacheDir: options.cacheDir, log: options.log });
  options.log?.(`kafka: starting node ${index + 1} again`);
  const pid = spawnKafkaNode(paths, libsDir);
  await waitForKafkaNode(paths, index + 1, pid);
  return pid;
}

function nodeLayoutOf(dir: string, index: number): KafkaNodeLayout {
  const brokerCount = kafkaBrokerCount(dir);
  if (!Number.isInteger(index) || index < 0 || index >= brokerCount) {
    throw new Error(`no kafka broker ${index} in ${dir}: it runs ${brokerCount} (0-based index)`);
  }
  return kafkaNodeLayout(dir, index, brokerCount);
}

/** Both layouts, whatever ran last: a switch between one broker and a cluster must stop the old. */
function allNodeLayouts(dir: string): KafkaNodeLayout[] {
  const cluster = Array.from({ length: kafkaBrokerCountMax }, (_, index) =>
    kafkaNodeLayout(dir, index, kafkaBrokerCountMax),
  );
  return [kafkaNodeLayout(dir, 0, 1), ...cluster];
}

function checkBrokerOptions(brokerCount: number, advertisedPorts: readonly number[] | undefined): void {
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > kafkaBrokerCountMax) {
    throw new Error(`kafka brokers must be 1 to ${kafkaBrokerCountMax}, not ${brokerCount}`);
  }
  if (advertisedPorts && advertisedPorts.length !== brokerCount) {
    throw new Error(`${advertisedPorts.length} advertised ports for ${brokerCount} kafka brokers`);
  }
}

type PlannedNode = { paths: KafkaNodeLayout; ports: KafkaNodePorts };

/** Each node's ports: remembered ones while free, `WALLET_KAFKA_PORT` for the first, never two alike. */
async function choosePorts(
  dir: string,
  brokerCount: number,
  advertisedPorts: readonly number[] | undefined,
): Promise<PlannedNode[]> {
  const taken = new Set<number>(advertisedPorts ?? []);
  const pick = async (file: string, envName?: string): Promise<number> => {
    const remembered = readRememberedPort(file);
    let port =
      envName && process.env[envName]
        ? await choosePort(envName, remembered)
        : remembered && !taken.has(remembered) && !(await isPortOpen(remembered))
          ? remembered
          : await findFreePort();
    while (taken.has(port)) port = await findFreePort();
    taken.add(port);
    rememberPort(file, port);
    return port;
  };
  const nodes: PlannedNode[] = [];
  for (let index = 0; index < brokerCount; index += 1) {
    const paths = kafkaNodeLayout(dir, index, brokerCount);
    mkdirSync(paths.root, { recursive: true });
    const brokerPort = await pick(paths.portFile, index === 0 ? 'WALLET_KAFKA_PORT' : undefined);
    const internalPort = await pick(paths.internalPortFile);
    const controllerPort = await pick(
      paths.controllerPortFile,
      index === 0 ? 'WALLET_KAFKA_CONTROLLER_PORT' : undefined,
    );
    const advertisedPort = advertisedPorts?.[index];
    nodes.push({ paths, ports: { brokerPort, internalPort, controllerPort, advertisedPort } });
  }
  return nodes;
}

function kafkaState(nodes: PlannedNode[], pids: number[]): KafkaState {
  const nodeStates: KafkaNodeState[] = nodes.map(({ paths, ports }, index) => ({
    nodeId: index + 1,
    pid: pids[index]!,
    port: ports.brokerPort,
    advertisedPort: ports.advertisedPort ?? ports.brokerPort,
    internalAddress: internalAddress(paths),
  }));
  return {
    brokers: nodeStates.map((node) => `${loopbackHost}:${node.advertisedPort}`),
    pid: pids[0],
    managed: true,
    version: kafkaVersion,
    nodes: nodeStates,
  };
}

function clusterIdFile(dir: string, brokerCount: number): string {
  return brokerCount === 1 ? kafkaLayout(dir).clusterIdFile : join(kafkaRoot(dir), 'cluster', 'cluster-id');
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64; one is made once per data dir. */
function ensureClusterId(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  let id = randomBytes(16).toString('base64url');
  // Kafka's own generator avoids a leading dash too: the tools would read it as a flag.
  while (id.startsWith('-')) id = randomBytes(16).toString('base64url');
  writeFileSync(file, `${id}\n`);
  return id;
}
