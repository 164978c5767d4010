/**
 * No Docker daemon runs where the tests run, so docker-compose.yml and the Dockerfile are checked
 * statically: the compose file against the Compose Specification's JSON schema, and both against the
 * promises the rest of the project relies on (health checks, start order, loopback-only ports, non-root
 * services, the Kafka version the native stack uses).
 *
 * The schema comes from the `dclint` devDependency, which ships the compose-spec project's
 * `compose-spec.json` as `schemas/compose.schema.json` (Apache-2.0, compose-spec/compose-spec). Nothing
 * here touches the network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kafkaVersion } from '../../scripts/stack/kafka-jars.ts';
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

  it('runs the three dependencies and the two services, and the Kafka cluster only under its profile', () => {
    const byDefault = Object.entries(services).filter(([, service]) => !service.profiles?.length);
    expect(byDefault.map(([name]) => name).sort()).toEqual([...infraServiceNames, ...appServiceNames].sort());
    const profiled = Object.entries(services).filter(([, service]) => service.profiles?.length);
    expect(profiled.map(([name, service]) => [name, service.profiles])).toEqual(
      clusterNodeNames.map((name) => [name, [clusterProfile]]),
    );
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
