/**
 * No Docker daemon runs where the tests run, so docker-compose.yml and the Dockerfile are checked
 * statically: the compose file against the Compose Specification's JSON schema, and both against the
 * promises the rest of the project relies on (health checks, start order, loopback-only ports, non-root
 * services, the Kafka version the native stack uses).
 *
 * The schema comes from the `dclint` devDependency, which ships the compose-spec project's
 * `compose-spec.json` as `schemas/compose.schema.json` (Apache-2.0, compose-spec/compose-spec). Nothing
 * here touches the network.
 *
 * The `scale` and `ha` profiles' configuration files (HAProxy, PgBouncer, Patroni) are checked against
 * what compose promises about them, and, where the real program is installed (haproxy, pgbouncer), by
 * that program's own parser.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kafkaVersion } from '../../scripts/stack/kafka-jars.ts';
import { POSTGRES_TUNING } from '../../scripts/stack/postgres-tuning.ts';
import { STATEMENT_TIMEOUT_MS } from '../../services/shared/src/db/pool.ts';
import { loadTransactionsConfig } from '../../services/transactions-service/src/config.ts';
import { loadUserConfig } from '../../services/user-service/src/config.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const appServiceNames = ['user-service', 'transactions-service'] as const;
const infraServiceNames = ['postgres', 'kafka', 'nats'] as const;
/** The optional three-broker cluster, started only with `--profile kafka-cluster`. */
const clusterProfile = 'kafka-cluster';
const clusterNodeNames = ['kafka-1', 'kafka-2', 'kafka-3'] as const;
const appPortByService: Record<(typeof appServiceNames)[number], number> = {
  'user-service': 8080,
  'transactions-service': 8081,
};
const loopbackHost = '127.0.0.1';

/** `--profile scale`: each app service replicated behind `lb`, through `pgbouncer`. */
const scaleProfile = 'scale';
const replicasByService: Record<(typeof appServiceNames)[number], string> = {
  'user-service': 'user-service-replicas',
  'transactions-service': 'transactions-service-replicas',
};
/** The lb's own host ports: services without a profile always start, so 8080/8081 stay theirs. */
const lbPortByService: Record<(typeof appServiceNames)[number], number> = {
  'user-service': 18080,
  'transactions-service': 18081,
};
const pgbouncerPort = 6432;
/** `--profile ha`: PostgreSQL under Patroni, its leader key in etcd, reached through `pg-lb`. */
const haProfile = 'ha';
const etcdMemberNames = ['etcd-1', 'etcd-2', 'etcd-3'] as const;
const patroniNodeNames = ['patroni-1', 'patroni-2'] as const;
const servicesByProfile: Record<string, readonly string[]> = {
  [clusterProfile]: clusterNodeNames,
  [scaleProfile]: [...Object.values(replicasByService), 'pgbouncer', 'lb'],
  [haProfile]: [...etcdMemberNames, ...patroniNodeNames, 'pg-lb'],
};
/** Where the haproxy image reads its configuration; compose mounts docker/haproxy there. */
const haproxyConfigDir = '/usr/local/etc/haproxy';

type ComposePort =
  | string
  | number
  | { target?: number | string; published?: number | string; host_ip?: string };
type ComposeService = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  profiles?: string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: ComposePort[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  restart?: string;
  user?: string;
  deploy?: { replicas?: number };
  command?: string | string[];
  tmpfs?: string | string[];
};
type ComposeFile = { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

function readRepoFile(relativePath: string): string {
  return readFileSync(path.join(repoRoot, relativePath), 'utf8');
}

/** Parsed as Compose reads it: YAML merge keys (`<<: *anchor`) resolved. */
function loadComposeFile(): ComposeFile {
  return parse(readRepoFile('docker-compose.yml'), { merge: true }) as ComposeFile;
}

/**
 * The schema names its dialect by an https URI that Ajv does not register under; it is draft-07,
 * which is Ajv's default, so the dialect is checked here and Ajv validates the schema as draft-07.
 */
function loadComposeSchema(): { dialect: unknown; schema: object } {
  const require = createRequire(import.meta.url);
  const dclintDir = path.dirname(require.resolve('dclint/package.json'));
  const schemaPath = path.join(dclintDir, 'schemas', 'compose.schema.json');
  const { $schema: dialect, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<
    string,
    unknown
  >;
  return { dialect, schema };
}

function environmentOf(service: ComposeService): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as const;
      })
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, String(value ?? '')] as const);
  return Object.fromEntries(entries);
}

function buildArgsOf(service: ComposeService): Record<string, string> {
  const args = typeof service.build === 'object' ? service.build.args : undefined;
  if (!args) return {};
  if (!Array.isArray(args)) return args;
  return Object.fromEntries(
    args.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The host address a published port binds to, or undefined when it binds to every interface. */
function hostIpOf(port: ComposePort): string | undefined {
  if (typeof port === 'object') return port.host_ip;
  // `${PORT:-8080}` holds a colon of its own; a placeholder keeps the split honest.
  const parts = String(port)
    .replace(/\$\{[^}]*\}/g, 'VAR')
    .split(':');
  // "container" and "host:container" bind every interface; "ip:host:container" names the address.
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : undefined;
}

/** The host port a published port uses with no variable set (`${PORT:-8080}` is 8080). */
function publishedPortOf(port: ComposePort): number {
  if (typeof port === 'object') return Number(interpolate(String(port.published ?? ''), {}));
  const parts = interpolate(String(port), {}).split(':');
  return Number(parts.length >= 2 ? parts.at(-2) : parts.at(-1));
}

/** An image reference's tag: `haproxy:2.6-alpine` → `2.6-alpine`; a registry's port is not a tag. */
function imageTagOf(image: string): string | undefined {
  const lastSegment = image.split('/').at(-1) ?? '';
  return lastSegment.includes(':') ? lastSegment.split(':').at(-1) : undefined;
}

/**
 * An HAProxy configuration's sections (`global`, `defaults`, `frontend x`, `backend x`, `resolvers x`),
 * each with its lines, comments dropped and whitespace collapsed.
 */
function haproxySections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim().replace(/\s+/g, ' ');
    if (!line) continue;
    if (/^\S/.test(raw)) {
      current = [];
      sections.set(line, current);
    } else current?.push(line);
  }
  return sections;
}

/** The lines of one HAProxy section; fails the test when the section is missing. */
function sectionLines(sections: Map<string, string[]>, name: string): string[] {
  const lines = sections.get(name);
  expect(lines, `section "${name}"`).toBeDefined();
  return lines ?? [];
}

/** A PgBouncer (INI) file: section → key → value, `;` and `#` comments dropped. */
function parseIni(text: string): Record<string, Record<string, string>> {
  const ini: Record<string, Record<string, string>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      ini[section] ??= {};
      continue;
    }
    const at = line.indexOf('=');
    ini[section]![line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return ini;
}

/** `host=postgres port=5432 connect_query='SET x = 1'` → its key/value pairs. */
function parseConnectionString(text: string): Record<string, string> {
  const pairs = text.matchAll(/(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/g);
  return Object.fromEntries([...pairs].map((match) => [match[1]!, match[2] ?? match[3]!]));
}

/** A program from PATH or the sbin directories a non-root PATH may lack; undefined when not installed. */
function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs.map((dir) => path.join(dir, name)).find((candidate) => existsSync(candidate));
}

/** The compose file's `${NAME:-default}` references resolved with the given environment. */
function interpolatedEnvironmentOf(
  service: ComposeService,
  env: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environmentOf(service)).map(([key, value]) => [key, interpolate(value, env)]),
  );
}

/** A bind-mount's host side for the given container path (`./docker/haproxy:/usr/local/etc/haproxy:ro`). */
function bindSourceOf(service: ComposeService, containerPath: string): string | undefined {
  const mount = (service.volumes ?? [])
    .map(String)
    .map((volume) => volume.split(':'))
    .find((parts) => parts[1] === containerPath);
  return mount?.[0];
}

/** Dockerfile instructions, one per entry, with line continuations joined and comments dropped. */
function dockerfileInstructions(text: string): string[] {
  const logicalLines = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logicalLines
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function finalStageInstructions(instructions: string[]): string[] {
  const lastFrom = instructions.findLastIndex((line) => /^FROM\s/i.test(line));
  return instructions.slice(lastFrom);
}

const interpolationPattern = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/**
 * Compose's variable interpolation, as much of it as this file uses: `${NAME}`, `${NAME:-default}`,
 * `${NAME-default}`, `${NAME:?error}` and `${NAME?error}`. A missing required variable throws.
 */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(interpolationPattern, (_whole, name: string, operator?: string, operand = '') => {
    const value = env[name];
    const isSet = operator?.startsWith(':') ? Boolean(value) : value !== undefined;
    if (isSet) return value!;
    if (operator?.endsWith('?')) throw new Error(`required variable ${name} is missing: ${operand}`);
    return operator?.endsWith('-') ? operand : '';
  });
}

describe('docker-compose.yml', () => {
  const compose = loadComposeFile();
  const services = compose.services;

  it('conforms to the Compose Specification schema', () => {
    // Given the official schema; strict off because it uses annotation keywords such as `deprecated`
    const { dialect, schema } = loadComposeSchema();
    expect(dialect).toMatch(/json-schema\.org\/draft-07\/schema/);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);

    // When the compose file is validated
    const valid = validate(compose);

    // Then there are no errors
    expect(ajv.errorsText(validate.errors, { separator: '\n' })).toBe('No errors');
    expect(valid).toBe(true);
  });

  it('has a schema check that would catch a misspelt key', () => {
    // Given the same compose file with a typo in one service
    const { schema } = loadComposeSchema();
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const misspelt = structuredClone(compose) as unknown as {
      services: Record<string, Record<string, unknown>>;
    };
    misspelt.services.nats!.helthcheck = misspelt.services.nats!.healthcheck;

    // When it is validated, then the schema rejects it
    expect(validate(misspelt)).toBe(false);
  });

  it('runs the three dependencies and the two services, and everything else only under its profile', () => {
    const byDefault = Object.entries(services).filter(([, service]) => !service.profiles?.length);
    expect(byDefault.map(([name]) => name).sort()).toEqual([...infraServiceNames, ...appServiceNames].sort());
    const profiled = Object.entries(services).filter(([, service]) => service.profiles?.length);
    const byName = ([a]: [string, unknown], [b]: [string, unknown]) => a.localeCompare(b);
    expect(
      profiled.map(([name, service]): [string, unknown] => [name, service.profiles]).sort(byName),
    ).toEqual(
      Object.entries(servicesByProfile)
        .flatMap(([profile, names]) => names.map((name): [string, unknown] => [name, [profile]]))
        .sort(byName),
    );
  });

  it('pins every image to a version, here and in the Dockerfiles it builds', () => {
    const images = Object.entries(services).flatMap(([name, service]) =>
      service.image ? [[name, service.image] as const] : [],
    );
    const dockerfiles = Object.values(services).flatMap((service) => {
      const context = typeof service.build === 'object' ? service.build.context : service.build;
      return context && context !== '.' ? [path.join(context, 'Dockerfile')] : [];
    });
    expect(dockerfiles.length).toBeGreaterThan(0);
    for (const file of new Set(dockerfiles)) {
      for (const line of dockerfileInstructions(readRepoFile(file))) {
        const from = /^FROM\s+(\S+)/i.exec(line)?.[1];
        if (from) images.push([file, from]);
      }
    }
    for (const [where, image] of images) {
      const tag = imageTagOf(image);
      expect(tag, `${where}: ${image} names no tag`).toBeDefined();
      expect(tag, `${where}: ${image}`).not.toBe('latest');
      // A version number, or a Debian release name (whose packages are then the versions).
      expect(tag, `${where}: ${image} names no version`).toMatch(/\d|bookworm/);
    }
  });

  it('never publishes one host port twice, whichever profiles run', () => {
    // Services without a profile always start beside a profile's, so no two may want the same port.
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => [name, publishedPortOf(port)] as const),
    );
    const owners = new Map<number, string[]>();
    for (const [name, port] of published) owners.set(port, [...(owners.get(port) ?? []), name]);
    for (const [port, names] of owners) expect(names, `host port ${port}`).toHaveLength(1);
  });

  it('gives every service an enabled health check', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, `${name} has no healthcheck`).toBeDefined();
      expect(service.healthcheck?.disable ?? false, `${name} disables its healthcheck`).toBe(false);
      expect(service.healthcheck?.test, `${name} healthcheck is NONE`).not.toEqual(['NONE']);
    }
  });

  it('starts each app service only after postgres, kafka and nats are healthy', () => {
    for (const name of appServiceNames) {
      const dependsOn = services[name]?.depends_on;
      expect(Array.isArray(dependsOn), `${name} depends_on must use conditions, not a list`).toBe(false);
      for (const dependency of infraServiceNames) {
        expect(
          (dependsOn as Record<string, { condition?: string }>)[dependency]?.condition,
          `${name} → ${dependency}`,
        ).toBe('service_healthy');
      }
    }
  });

  it('restarts every service unless it was stopped on purpose', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(['always', 'unless-stopped', 'on-failure'], `${name} restart`).toContain(service.restart);
    }
  });

  it("runs PostgreSQL with the native stack's server settings, under Patroni too", () => {
    const command = services.postgres?.command;
    expect(Array.isArray(command) && command[0]).toBe('postgres');
    const given = Object.fromEntries(
      (command as string[])
        .filter((_, index, all) => all[index - 1] === '-c')
        .map((setting) => setting.split('=') as [string, string]),
    );
    expect(given).toEqual(POSTGRES_TUNING);
    const patroni = parse(readRepoFile('docker/patroni/patroni.yml')) as {
      bootstrap?: { dcs?: { postgresql?: { parameters?: Record<string, unknown> } } };
    };
    const parameters = patroni.bootstrap?.dcs?.postgresql?.parameters ?? {};
    for (const [name, value] of Object.entries(POSTGRES_TUNING)) {
      expect(String(parameters[name]), `patroni.yml ${name}`).toBe(value);
    }
  });

  it('runs the same Kafka version as the native stack, in the cluster too', () => {
    for (const name of ['kafka', ...clusterNodeNames]) {
      const [repository, tag] = (services[name]?.image ?? '').split(':');
      expect(repository, name).toBe('apache/kafka');
      expect(tag, name).toBe(kafkaVersion);
    }
  });

  it('makes the cluster profile three KRaft nodes of one cluster with replication factor 3 and min ISR 2', () => {
    // Given each node's environment
    const environments = clusterNodeNames.map((name) => environmentOf(services[name]!));
    const voters = clusterNodeNames.map((name, index) => `${index + 1}@${name}:9093`).join(',');

    // Then: one cluster id (not the single broker's), one voter list naming every node, ids 1 to 3
    expect(new Set(environments.map((env) => env.CLUSTER_ID)).size).toBe(1);
    expect(environments[0]?.CLUSTER_ID).not.toBe(environmentOf(services.kafka!).CLUSTER_ID);
    for (const [index, env] of environments.entries()) {
      const name = clusterNodeNames[index]!;
      expect(env.KAFKA_NODE_ID, name).toBe(String(index + 1));
      expect(env.KAFKA_PROCESS_ROLES, name).toBe('broker,controller');
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS, name).toBe(voters);
      expect(env.KAFKA_ADVERTISED_LISTENERS, name).toBe(`INTERNAL://${name}:9092`);
      // Then: every topic, internal ones included, keeps three replicas and needs two in sync
      expect(env.KAFKA_DEFAULT_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_MIN_INSYNC_REPLICAS, name).toBe('2');
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR, name).toBe('3');
      expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR, name).toBe('2');
      expect(env.KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE, name).toBe('false');
    }
  });

  it('lets the app services use the cluster: optional healthy dependencies and a brokers list from the env', () => {
    for (const name of appServiceNames) {
      const dependsOn = services[name]?.depends_on as Record<
        string,
        { condition?: string; required?: boolean }
      >;
      for (const node of clusterNodeNames) {
        expect(dependsOn[node], `${name} → ${node}`).toEqual({
          condition: 'service_healthy',
          required: false,
        });
      }
      const brokers = environmentOf(services[name]!).KAFKA_BROKERS ?? '';
      expect(interpolate(brokers, {})).toBe('kafka:9092');
      const clusterBrokers = clusterNodeNames.map((node) => `${node}:9092`).join(',');
      expect(interpolate(brokers, { WALLET_KAFKA_BROKERS: clusterBrokers })).toBe(clusterBrokers);
    }
  });

  it('publishes ports on the loopback interface only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        expect(hostIpOf(port), `${name} publishes ${JSON.stringify(port)}`).toBe(loopbackHost);
      }
    }
  });

  it('publishes each app service on its port and health-checks that port', () => {
    for (const name of appServiceNames) {
      const service = services[name]!;
      const portInContainer = appPortByService[name];
      const environment = environmentOf(service);
      expect(environment.PORT).toBe(String(portInContainer));
      expect(environment.HOST).toBe('0.0.0.0');
      const targets = (service.ports ?? []).map((port) =>
        typeof port === 'object' ? Number(port.target) : Number(String(port).split(':').at(-1)),
      );
      expect(targets).toEqual([portInContainer]);
      expect(JSON.stringify(service.healthcheck?.test)).toContain(
        `http://127.0.0.1:${portInContainer}/readyz`,
      );
    }
  });

  it('gives each app service an environment its own config schema accepts', () => {
    // Given the environment compose would pass, with the one required variable set
    const shellEnv = { WALLET_OPERATOR_TOKEN: 'a'.repeat(64) };
    const envOf = (name: (typeof appServiceNames)[number]) =>
      Object.fromEntries(
        Object.entries(environmentOf(services[name]!)).map(([key, value]) => [
          key,
          interpolate(value, shellEnv),
        ]),
      );

    // When each service loads its config from it, then it is accepted and binds every interface
    const userConfig = loadUserConfig(envOf('user-service'));
    const transactionsConfig = loadTransactionsConfig(envOf('transactions-service'));
    expect(userConfig.HOST).toBe('0.0.0.0');
    expect(transactionsConfig.HOST).toBe('0.0.0.0');
    expect(userConfig.WALLET_OPERATOR_TOKEN).toBe(shellEnv.WALLET_OPERATOR_TOKEN);
    expect(transactionsConfig.KAFKA_BROKERS).toEqual(['kafka:9092']);
  });

  it('refuses to start without an operator token rather than run with a default one', () => {
    for (const name of appServiceNames) {
      const token = environmentOf(services[name]!).WALLET_OPERATOR_TOKEN ?? '';
      expect(() => interpolate(token, {}), name).toThrow(/WALLET_OPERATOR_TOKEN is missing/);
    }
  });

  it('connects each app service to a database the postgres init script creates', () => {
    // Given the init folder postgres runs on first start
    const initMount = (services.postgres?.volumes ?? []).find((volume) =>
      String(volume).endsWith(':/docker-entrypoint-initdb.d:ro'),
    );
    expect(initMount, 'postgres mounts docker/postgres/init read-only').toBe(
      './docker/postgres/init:/docker-entrypoint-initdb.d:ro',
    );
    const initSql = readRepoFile('docker/postgres/init/01-create-databases.sql');

    // Then every DATABASE_URL names a database that script creates
    const databaseNames = appServiceNames.map((name) => {
      const url = environmentOf(services[name]!).DATABASE_URL ?? '';
      return new URL(url.replace(/\$\{[^}]+\}/g, 'x')).pathname.slice(1);
    });
    expect(databaseNames).toEqual(['wallet_users', 'wallet_transactions']);
    for (const database of databaseNames) expect(initSql).toMatch(new RegExp(`CREATE DATABASE ${database};`));
  });

  it('keeps postgres and kafka data in named volumes, one per Kafka node', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const kafkaVolumes = ['kafka', ...clusterNodeNames].map(
      (name) => String(services[name]?.volumes?.[0] ?? '').split(':')[0],
    );
    expect(new Set(kafkaVolumes).size).toBe(kafkaVolumes.length);
    for (const [name, dataDir] of [
      ['postgres', '/var/lib/postgresql/data'],
      ['kafka', '/var/lib/kafka/data'],
      ...clusterNodeNames.map((node) => [node, '/var/lib/kafka/data'] as const),
    ] as const) {
      const mount = (services[name]?.volumes ?? [])
        .map(String)
        .find((volume) => volume.endsWith(`:${dataDir}`));
      const source = mount?.split(':')[0] ?? '';
      expect(declared, `${name} data volume`).toContain(source);
    }
  });

  it('builds each app service from the Dockerfile with its name as SERVICE', () => {
    for (const name of appServiceNames) {
      const build = services[name]?.build;
      expect(typeof build === 'object' ? build.context : build).toBe('.');
      expect(buildArgsOf(services[name]!).SERVICE).toBe(name);
      expect(services[name]?.user, `${name} must not override the image's non-root user`).toBeUndefined();
    }
  });
});

describe('docker-compose.yml, profile scale', () => {
  const services = loadComposeFile().services;
  const haproxyCfgPath = 'docker/haproxy/haproxy.cfg';
  const haproxy = haproxySections(readRepoFile(haproxyCfgPath));
  const pgbouncerIni = parseIni(readRepoFile('docker/pgbouncer/pgbouncer.ini'));
  const shellEnv = { WALLET_OPERATOR_TOKEN: 'a'.repeat(64) };

  it('runs each app service as at least two replicas that publish nothing and check /readyz like it', () => {
    for (const name of appServiceNames) {
      const replicas = services[replicasByService[name]]!;
      expect(replicas.deploy?.replicas, name).toBeGreaterThanOrEqual(2);
      expect(replicas.ports ?? [], `${name} replicas are reached through lb only`).toEqual([]);
      expect(replicas.healthcheck, name).toEqual(services[name]!.healthcheck);
      expect(environmentOf(replicas).PORT, name).toBe(String(appPortByService[name]));
      expect(buildArgsOf(replicas).SERVICE, name).toBe(name);
      expect(replicas.user, name).toBeUndefined();
    }
  });

  it('sends the replicas through PgBouncer without prepared statements, and their migrations straight to PostgreSQL', () => {
    const upstreamHosts = new Set(
      Object.values(pgbouncerIni.databases ?? {}).map((value) => parseConnectionString(value).host),
    );
    expect([...upstreamHosts]).toEqual(['postgres']);
    for (const name of appServiceNames) {
      const env = interpolatedEnvironmentOf(services[replicasByService[name]]!, shellEnv);
      const database = new URL(interpolatedEnvironmentOf(services[name]!, shellEnv).DATABASE_URL!).pathname;

      const pooled = new URL(env.DATABASE_URL ?? '');
      expect([pooled.hostname, pooled.port, pooled.pathname], name).toEqual([
        'pgbouncer',
        String(pgbouncerPort),
        database,
      ]);
      // PgBouncer 1.18 in transaction pooling cannot keep a named prepared statement past its transaction.
      expect(env.DATABASE_PREPARED_STATEMENTS, name).toBe('false');
      // Migrations hold a session advisory lock: a direct connection, to the server PgBouncer pools for.
      const direct = new URL(env.DATABASE_MIGRATION_URL ?? '');
      expect([direct.hostname, direct.port, direct.pathname], name).toEqual(['postgres', '5432', database]);
      expect([direct.username, direct.password], name).toEqual([pooled.username, pooled.password]);

      const dependsOn = services[replicasByService[name]]!.depends_on as Record<
        string,
        { condition?: string }
      >;
      for (const dependency of [...infraServiceNames, 'pgbouncer']) {
        expect(dependsOn[dependency]?.condition, `${name} replicas → ${dependency}`).toBe('service_healthy');
      }
    }
  });

  it('gives the replicas an environment their config schema accepts', () => {
    const configs = [
      loadUserConfig(interpolatedEnvironmentOf(services[replicasByService['user-service']]!, shellEnv)),
      loadTransactionsConfig(
        interpolatedEnvironmentOf(services[replicasByService['transactions-service']]!, shellEnv),
      ),
    ] as Record<string, unknown>[];
    for (const config of configs) {
      expect(config.DATABASE_URL).toMatch(/@pgbouncer:6432\//);
      // Once the services read these settings, they must read them as meant (before, they are ignored).
      if ('DATABASE_PREPARED_STATEMENTS' in config) expect(config.DATABASE_PREPARED_STATEMENTS).toBe(false);
      if ('DATABASE_MIGRATION_URL' in config)
        expect(config.DATABASE_MIGRATION_URL).toMatch(/@postgres:5432\//);
    }
  });

  it('publishes lb on a loopback port pair of its own, so the unreplicated services keep 8080 and 8081', () => {
    const lb = services.lb!;
    const published = (lb.ports ?? []).map((port) => [hostIpOf(port), publishedPortOf(port)]);
    expect(published).toEqual(appServiceNames.map((name) => [loopbackHost, lbPortByService[name]]));
    for (const name of appServiceNames) {
      expect(publishedPortOf(services[name]!.ports![0]!)).not.toBe(lbPortByService[name]);
    }
    // Each published port reaches the HAProxy frontend of that service, on the port the service uses.
    const targets = (lb.ports ?? []).map((port) => Number(String(port).split(':').at(-1)));
    expect(targets).toEqual(appServiceNames.map((name) => appPortByService[name]));
    for (const name of appServiceNames) {
      expect(sectionLines(haproxy, `frontend ${name}`)).toContain(`bind :${appPortByService[name]}`);
    }
  });

  it('runs lb with docker/haproxy/haproxy.cfg, pinned, waiting for healthy replicas', () => {
    const lb = services.lb!;
    expect(lb.image).toMatch(/^haproxy:2\.6\b/);
    expect(bindSourceOf(lb, haproxyConfigDir)).toBe('./docker/haproxy');
    expect(lb.command).toEqual(['haproxy', '-f', `${haproxyConfigDir}/haproxy.cfg`]);
    for (const name of appServiceNames) {
      const dependsOn = lb.depends_on as Record<string, { condition?: string }>;
      expect(dependsOn[replicasByService[name]]?.condition).toBe('service_healthy');
    }
  });

  it('sends each request to a replica that is ready (/readyz), found through Docker DNS', () => {
    // Docker's embedded DNS answers a service name with every replica's address.
    expect(sectionLines(haproxy, 'resolvers docker')).toContain('nameserver dns 127.0.0.11:53');
    const defaultServer = sectionLines(haproxy, 'defaults').find((line) =>
      line.startsWith('default-server '),
    );
    for (const option of ['check', 'resolvers docker', 'init-addr none'])
      expect(defaultServer).toContain(option);

    for (const name of appServiceNames) {
      const ready = `${name}-ready`;
      const frontend = sectionLines(haproxy, `frontend ${name}`);
      expect(frontend).toContain(`use_backend ${ready} if { nbsrv(${ready}) gt 0 }`);
      const backend = sectionLines(haproxy, `backend ${ready}`);
      expect(backend).toEqual(
        expect.arrayContaining([
          'option httpchk',
          'http-check send meth GET uri /readyz',
          'http-check expect status 200',
        ]),
      );
      const template = backend.find((line) => line.startsWith('server-template '))?.split(' ');
      expect(template?.[3], name).toBe(`${replicasByService[name]}:${appPortByService[name]}`);
      const [, slots = '0'] = /(\d+)$/.exec(template?.[2] ?? '') ?? [];
      expect(Number(slots), `${name}: a slot for every replica`).toBeGreaterThanOrEqual(
        services[replicasByService[name]]!.deploy!.replicas!,
      );
    }
  });

  it('falls back to live replicas (/healthz) when none is ready, as the native stack does', () => {
    // Readiness includes Kafka; the services keep moving money while Kafka is down (the outbox).
    for (const name of appServiceNames) {
      const live = `${name}-live`;
      expect(sectionLines(haproxy, `frontend ${name}`)).toContain(`default_backend ${live}`);
      const backend = sectionLines(haproxy, `backend ${live}`);
      expect(backend).toContain('http-check send meth GET uri /healthz');
      expect(backend.find((line) => line.startsWith('server-template '))).toContain(
        `${replicasByService[name]}:${appPortByService[name]}`,
      );
    }
  });

  it("answers 503 with the services' problem+json and Retry-After when no replica answers", () => {
    // Given the errorfile haproxy.cfg names, relative to the config (`default-path config`)
    expect(sectionLines(haproxy, 'global')).toContain('default-path config');
    const errorfile = sectionLines(haproxy, 'defaults')
      .find((line) => line.startsWith('errorfile 503 '))
      ?.split(' ')[2];
    expect(errorfile).toBeDefined();
    const raw = readFileSync(path.join(repoRoot, 'docker/haproxy', errorfile!));

    // When it is read as the HTTP response HAProxy sends
    const text = raw.toString('utf8');
    const headerEnd = text.indexOf('\r\n\r\n');
    expect(headerEnd, 'headers end with CRLF CRLF').toBeGreaterThan(0);
    const [statusLine, ...headerLines] = text.slice(0, headerEnd).split('\r\n');
    const headers = Object.fromEntries(
      headerLines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    const body = text.slice(headerEnd + 4);

    // Then it is a complete 503 problem+json
    expect(statusLine).toBe('HTTP/1.1 503 Service Unavailable');
    expect(headers['content-type']).toBe('application/problem+json');
    expect(headers['retry-after']).toBe('1');
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body)).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      detail: 'no replica is ready',
    });
  });

  it('pools in transaction mode in front of the databases the postgres init script creates', () => {
    const settings = pgbouncerIni.pgbouncer ?? {};
    expect(settings.pool_mode).toBe('transaction');
    expect(settings.listen_port).toBe(String(pgbouncerPort));
    const initSql = readRepoFile('docker/postgres/init/01-create-databases.sql');
    const created = [...initSql.matchAll(/CREATE DATABASE (\w+);/g)].map((match) => match[1]);
    const databases = pgbouncerIni.databases ?? {};
    expect(Object.keys(databases).sort()).toEqual([...created].sort());
    for (const [name, value] of Object.entries(databases)) {
      const connection = parseConnectionString(value);
      expect([connection.host, connection.port, connection.dbname], name).toEqual(['postgres', '5432', name]);
      // node-postgres sends statement_timeout at startup, which PgBouncer 1.18 must be told to ignore;
      // connect_query keeps the services' timeout on every server connection instead.
      expect(connection.connect_query, name).toBe(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
    }
    expect(settings.ignore_startup_parameters?.split(',')).toContain('statement_timeout');
  });

  it('runs pgbouncer with its auth file on a tmpfs, its password from the environment, and a real health check', () => {
    const pgbouncer = services.pgbouncer!;
    const authFile = pgbouncerIni.pgbouncer?.auth_file ?? '';
    expect([pgbouncer.tmpfs].flat()).toContain(path.posix.dirname(authFile));
    const env = environmentOf(pgbouncer);
    expect(env.PGBOUNCER_USER).toBe('wallet');
    // The password the replicas send is the one PgBouncer checks them against, default or not.
    for (const shell of [shellEnv, { ...shellEnv, WALLET_POSTGRES_PASSWORD: 's3cret' }]) {
      const replicaUrl = new URL(
        interpolatedEnvironmentOf(services[replicasByService['user-service']]!, shell).DATABASE_URL!,
      );
      expect(interpolate(env.PGBOUNCER_PASSWORD ?? '', shell)).toBe(replicaUrl.password);
    }
    expect(readRepoFile('docker/pgbouncer/entrypoint.sh')).toContain(authFile);
    expect(JSON.stringify(pgbouncer.healthcheck?.test)).toContain(`-p ${pgbouncerPort}`);
    expect((pgbouncer.depends_on as Record<string, { condition?: string }>).postgres?.condition).toBe(
      'service_healthy',
    );
  });

  const pgbouncerBinary = findExecutable('pgbouncer');
  it.skipIf(!pgbouncerBinary)('has a pgbouncer.ini that PgBouncer itself loads', () => {
    // Given the ini with its auth file in a temporary directory, and a listen address no machine has
    // (TEST-NET-1), so that PgBouncer loads everything and then stops without serving anything
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wallet-pgbouncer-'));
    try {
      const authFile = path.join(dir, 'userlist.txt');
      writeFileSync(authFile, '"wallet" "wallet"\n');
      const ini = readRepoFile('docker/pgbouncer/pgbouncer.ini')
        .replace(/^auth_file = .*$/m, `auth_file = ${authFile}`)
        .replace(/^listen_addr = .*$/m, 'listen_addr = 192.0.2.1');
      writeFileSync(path.join(dir, 'pgbouncer.ini'), ini);

      // When PgBouncer starts on it
      const run = spawnSync(pgbouncerBinary!, [path.join(dir, 'pgbouncer.ini')], {
        encoding: 'utf8',
        timeout: 10_000,
      });

      // Then the configuration loaded, and it stopped only where expected: as root, or with nowhere to listen
      const output = `${run.stdout}${run.stderr}`;
      expect(output).not.toMatch(/ERROR|cannot load config/);
      expect(output).toMatch(/should not run as root|nowhere to listen on/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const haproxyBinary = findExecutable('haproxy');
  it.skipIf(!haproxyBinary)(
    'has HAProxy configurations that `haproxy -c` accepts, and a check that would fail',
    () => {
      // `init-addr none` lets the check pass offline: no Docker DNS name is resolved before start.
      for (const file of ['docker/haproxy/haproxy.cfg', 'docker/haproxy/postgres-ha.cfg']) {
        const run = spawnSync(haproxyBinary!, ['-c', '-f', path.join(repoRoot, file)], { encoding: 'utf8' });
        expect(run.status, `${file}: ${run.stderr}`).toBe(0);
      }
      // The same check on a copy with a misspelt keyword fails: it parses, not merely reads.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'wallet-haproxy-'));
      try {
        cpSync(path.join(repoRoot, 'docker/haproxy'), dir, { recursive: true });
        const broken = readRepoFile(haproxyCfgPath).replace('http-check expect', 'http-check expekt');
        writeFileSync(path.join(dir, 'haproxy.cfg'), broken);
        const run = spawnSync(haproxyBinary!, ['-c', '-f', path.join(dir, 'haproxy.cfg')], {
          encoding: 'utf8',
        });
        expect(run.status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('docker-compose.yml, profile ha', () => {
  const services = loadComposeFile().services;
  const patroniConfig = parse(readRepoFile('docker/patroni/patroni.yml')) as {
    restapi?: { listen?: string };
    etcd3?: { hosts?: string };
    bootstrap?: {
      dcs?: { synchronous_mode?: boolean; postgresql?: { use_pg_rewind?: boolean } };
      post_bootstrap?: string;
    };
  };
  const pgLbCfg = haproxySections(readRepoFile('docker/haproxy/postgres-ha.cfg'));

  it('runs three etcd members of one cluster, each named in the initial cluster', () => {
    const environments = etcdMemberNames.map((name) => environmentOf(services[name]!));
    const initialCluster = etcdMemberNames.map((name) => `${name}=http://${name}:2380`).join(',');
    for (const [index, env] of environments.entries()) {
      const name = etcdMemberNames[index]!;
      expect(services[name]?.image, name).toMatch(
        /^(quay\.io\/coreos|gcr\.io\/etcd-development)\/etcd:v3\.4\.\d+$/,
      );
      expect(env.ETCD_NAME, name).toBe(name);
      expect(env.ETCD_INITIAL_CLUSTER, name).toBe(initialCluster);
      expect(env.ETCD_INITIAL_ADVERTISE_PEER_URLS, name).toBe(`http://${name}:2380`);
      expect(env.ETCD_ADVERTISE_CLIENT_URLS, name).toBe(`http://${name}:2379`);
    }
    expect(new Set(environments.map((env) => env.ETCD_INITIAL_CLUSTER_TOKEN)).size).toBe(1);
    const dataVolumes = etcdMemberNames.map((name) => bindSourceOf(services[name]!, '/etcd-data'));
    expect(new Set(dataVolumes).size).toBe(etcdMemberNames.length);
    for (const volume of dataVolumes) expect(Object.keys(loadComposeFile().volumes ?? {})).toContain(volume);
  });

  it('runs at least two Patroni nodes built on PostgreSQL 15, each with its own name, addresses and volume', () => {
    expect(patroniNodeNames.length).toBeGreaterThanOrEqual(2);
    const dockerfile = dockerfileInstructions(readRepoFile('docker/patroni/Dockerfile'));
    expect(dockerfile.find((line) => /^FROM\s/i.test(line))).toMatch(/^FROM postgres:15\b/);
    expect(dockerfile.some((line) => /^RUN .*apt-get install .*\bpatroni\b/.test(line))).toBe(true);
    const etcdHosts = etcdMemberNames.map((name) => `${name}:2379`).join(',');
    const volumes = new Set<string | undefined>();
    for (const name of patroniNodeNames) {
      const node = services[name]!;
      const env = environmentOf(node);
      expect(node.build, name).toBe('./docker/patroni');
      expect(env.PATRONI_NAME, name).toBe(name);
      expect(env.PATRONI_RESTAPI_CONNECT_ADDRESS, name).toBe(`${name}:8008`);
      expect(env.PATRONI_POSTGRESQL_CONNECT_ADDRESS, name).toBe(`${name}:5432`);
      expect(env.PATRONI_ETCD3_HOSTS, name).toBe(etcdHosts);
      for (const member of etcdMemberNames) {
        const dependsOn = node.depends_on as Record<string, { condition?: string }>;
        expect(dependsOn[member]?.condition, `${name} → ${member}`).toBe('service_healthy');
      }
      volumes.add(bindSourceOf(node, '/var/lib/postgresql/data'));
      // post-bootstrap.sh creates the databases from the single server's init script.
      expect(bindSourceOf(node, '/docker-entrypoint-initdb.d'), name).toBe('./docker/postgres/init');
    }
    expect(volumes.size).toBe(patroniNodeNames.length);
  });

  it('replicates synchronously, rewinds a demoted primary and serves the REST API on 8008', () => {
    expect(patroniConfig.bootstrap?.dcs?.synchronous_mode).toBe(true);
    expect(patroniConfig.bootstrap?.dcs?.postgresql?.use_pg_rewind).toBe(true);
    expect(patroniConfig.restapi?.listen).toMatch(/:8008$/);
    expect(patroniConfig.etcd3?.hosts).toBe(etcdMemberNames.map((name) => `${name}:2379`).join(','));
    const postBootstrap = patroniConfig.bootstrap?.post_bootstrap ?? '';
    const dockerfile = readRepoFile('docker/patroni/Dockerfile');
    expect(dockerfile).toContain(`COPY --chmod=0755 post-bootstrap.sh ${postBootstrap}`);
    expect(readRepoFile('docker/patroni/post-bootstrap.sh')).toContain(
      '/docker-entrypoint-initdb.d/01-create-databases.sql',
    );
  });

  it('follows the leader through pg-lb: port 5432 goes only to the node whose Patroni answers /primary', () => {
    const pgLb = services['pg-lb']!;
    expect(pgLb.image).toMatch(/^haproxy:2\.6\b/);
    expect(bindSourceOf(pgLb, haproxyConfigDir)).toBe('./docker/haproxy');
    expect(pgLb.command).toEqual(['haproxy', '-f', `${haproxyConfigDir}/postgres-ha.cfg`]);
    expect(sectionLines(pgLbCfg, 'frontend postgres-primary')).toContain('bind :5432');
    const backend = sectionLines(pgLbCfg, 'backend patroni-primary');
    expect(backend).toEqual(
      expect.arrayContaining([
        'option httpchk',
        'http-check send meth GET uri /primary',
        'http-check expect status 200',
      ]),
    );
    for (const name of patroniNodeNames)
      expect(backend).toContain(`server ${name} ${name}:5432 check port 8008`);
    // A demoted primary's sessions are cut, so no pool keeps writing to it.
    expect(sectionLines(pgLbCfg, 'defaults').find((line) => line.startsWith('default-server '))).toContain(
      'on-marked-down shutdown-sessions',
    );
  });

  it('lets the app services use pg-lb by WALLET_DATABASE_HOST, and wait for it under the profile', () => {
    for (const name of appServiceNames) {
      const url = environmentOf(services[name]!).DATABASE_URL ?? '';
      expect(new URL(interpolate(url, {})).hostname, name).toBe('postgres');
      expect(new URL(interpolate(url, { WALLET_DATABASE_HOST: 'pg-lb' })).hostname, name).toBe('pg-lb');
      expect((services[name]!.depends_on as Record<string, unknown>)['pg-lb'], name).toEqual({
        condition: 'service_healthy',
        required: false,
      });
    }
  });
});

describe('Dockerfile', () => {
  const instructions = dockerfileInstructions(readRepoFile('Dockerfile'));
  const finalStage = finalStageInstructions(instructions);

  it('runs the final stage as a non-root user', () => {
    const users = finalStage.filter((line) => /^USER\s/i.test(line)).map((line) => line.split(/\s+/)[1]);
    expect(users.length, 'final stage has a USER line').toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
  });

  it('builds on Node 24 and installs only production dependencies at run time', () => {
    expect(instructions.some((line) => /^ARG NODE_IMAGE=node:24-(bookworm-slim|alpine)\b/.test(line))).toBe(
      true,
    );
    expect(finalStage.some((line) => /^RUN npm ci --omit=dev\b/.test(line))).toBe(true);
  });

  it('ships each service with its migrations at the path it reads them from', () => {
    // The services read `../migrations` beside their compiled src; the build copies them into dist.
    expect(finalStage).toContain('COPY --from=build /app/dist ./dist');
    const buildScript = JSON.parse(readRepoFile('package.json')).scripts.build as string;
    expect(buildScript).toContain('node scripts/copy-migrations.ts');
  });

  it('declares the SERVICE build argument compose passes', () => {
    expect(finalStage.some((line) => /^ARG SERVICE\b/.test(line))).toBe(true);
  });
});

describe('.dockerignore', () => {
  it('keeps secrets and local state out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['.env', 'node_modules', '.git', 'dist', '.wallet']) expect(ignored).toContain(entry);
  });
});
