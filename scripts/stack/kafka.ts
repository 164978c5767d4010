import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log4jProperties, serverProperties } from './kafka-config.ts';
import { ensureKafkaJars, kafkaVersion } from './kafka-jars.ts';
import { probeKafka } from './kafka-probe.ts';
import { choosePort, findFreePort, loopbackHost, readRememberedPort, rememberPort } from './ports.ts';
import {
  isOurProcess,
  readLogTail,
  readPidFile,
  runCommand,
  spawnDetached,
  stopProcess,
} from './processes.ts';
import type { KafkaState } from './state.ts';
import { waitUntil } from './wait.ts';

const javaBinary = process.env.WALLET_JAVA_BIN ?? 'java';
const heapOptions = ['-Xms256m', '-Xmx512m'];
const readyTimeoutMs = 120_000;
// A KRaft node flushes and closes its logs on SIGTERM; that takes a few seconds, rarely more.
const stopGraceMs = 30_000;

export function kafkaLayout(dir: string) {
  const root = join(dir, 'kafka');
  return {
    root,
    data: join(root, 'data'),
    serverProperties: join(root, 'server.properties'),
    log4jProperties: join(root, 'log4j.properties'),
    serverLog: join(root, 'server.log'),
    processLog: join(root, 'process.log'),
    pidFile: join(root, 'kafka.pid'),
    clusterIdFile: join(root, 'cluster-id'),
    portFile: join(root, 'port'),
    controllerPortFile: join(root, 'controller-port'),
  };
}

export type StartKafkaOptions = { dir: string; cacheDir?: string; log: (line: string) => void };

export async function startKafka(options: StartKafkaOptions): Promise<KafkaState> {
  const paths = kafkaLayout(options.dir);
  const libsDir = await ensureKafkaJars({ cacheDir: options.cacheDir, log: options.log });
  mkdirSync(paths.data, { recursive: true });
  const brokerPort = await choosePort('WALLET_KAFKA_PORT', readRememberedPort(paths.portFile));
  const controllerPort = await chooseControllerPort(readRememberedPort(paths.controllerPortFile), brokerPort);
  rememberPort(paths.portFile, brokerPort);
  rememberPort(paths.controllerPortFile, controllerPort);
  writeFileSync(paths.serverProperties, serverProperties({ brokerPort, controllerPort }, paths.data));
  writeFileSync(paths.log4jProperties, log4jProperties(paths.serverLog));
  const javaArgs = [
    ...heapOptions,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${paths.log4jProperties}`,
    `-Dkafka.logs.dir=${paths.root}`,
    '-cp',
    `${libsDir}/*`,
  ];
  const fail = (step: string, error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error);
    const tails = [readLogTail(paths.serverLog), readLogTail(paths.processLog, 15)].join('\n');
    throw new Error(`kafka failed to start (${step}): ${message}\n${tails}`);
  };

  if (!existsSync(join(paths.data, 'meta.properties'))) {
    options.log(`kafka: formatting storage in ${paths.data}`);
    const format = ['kafka.tools.StorageTool', 'format', '-t', clusterId(paths.clusterIdFile), '-c'];
    await runCommand(javaBinary, [...javaArgs, ...format, paths.serverProperties, '--ignore-formatted'], {
      cwd: paths.root,
    }).catch((error) => fail('storage format', error));
  }
  options.log(
    `kafka: starting ${kafkaVersion} on ${loopbackHost}:${brokerPort} (controller ${controllerPort})`,
  );
  const pid = spawnDetached(javaBinary, [...javaArgs, 'kafka.Kafka', paths.serverProperties], {
    cwd: paths.root,
    logFile: paths.processLog,
  });
  writeFileSync(paths.pidFile, `${pid}\n`);
  const brokers = [`${loopbackHost}:${brokerPort}`];
  try {
    await waitUntil(() => probeKafka(brokers), {
      what: 'kafka',
      timeoutMs: readyTimeoutMs,
      intervalMs: 500,
      check: () => {
        if (!isOurProcess(pid, paths.serverProperties)) throw new Error('the broker process exited');
      },
    });
  } catch (error) {
    await stopProcess(pid, paths.serverProperties, stopGraceMs);
    fail('readiness', error);
  }
  return { brokers, pid, managed: true, version: kafkaVersion };
}

export async function stopKafka(dir: string): Promise<void> {
  const paths = kafkaLayout(dir);
  const pid = readPidFile(paths.pidFile);
  if (pid) await stopProcess(pid, paths.serverProperties, stopGraceMs);
}

export function kafkaPid(dir: string): number | undefined {
  const paths = kafkaLayout(dir);
  const pid = readPidFile(paths.pidFile);
  return isOurProcess(pid, paths.serverProperties) ? pid : undefined;
}

/** The controller listens on its own port; any free one, but never the broker's. */
async function chooseControllerPort(previousPort: number | undefined, brokerPort: number): Promise<number> {
  if (previousPort && previousPort !== brokerPort) {
    const port = await choosePort('WALLET_KAFKA_CONTROLLER_PORT', previousPort);
    if (port !== brokerPort) return port;
  }
  let port = await findFreePort();
  while (port === brokerPort) port = await findFreePort();
  return port;
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64; one is made once per data dir. */
function clusterId(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  let id = randomBytes(16).toString('base64url');
  // Kafka's own generator avoids a leading dash too: the tools would read it as a flag.
  while (id.startsWith('-')) id = randomBytes(16).toString('base64url');
  writeFileSync(file, `${id}\n`);
  return id;
}
