import { z } from 'zod';
import { loadTokenTable, TOKEN_LENGTH_MIN, type TokenEntry } from './http/access-tokens.ts';
import { SLOW_REQUEST_MS_DEFAULT } from './http/request-log.ts';

/**
 * Requests per second one token may send to one replica. Above what a replica serves (about
 * 2,000–5,000 requests per second on 2 cores, bench/results.md), so an operator integration or
 * the benchmark is held back by the service's capacity, never by its own rate limit; the limit
 * still stops one runaway token on bigger hardware. Callers without a valid token get less
 * (http/access-control.ts). Lower it with RATE_LIMIT_PER_SECOND where tokens belong to
 * third parties.
 */
export const RATE_LIMIT_PER_SECOND_DEFAULT = 20_000;
const RATE_LIMIT_PER_SECOND_MAX = 1_000_000;
/** How long SIGTERM/SIGINT waits for in-flight requests, the outbox flush and the rest before exiting anyway. */
export const SHUTDOWN_GRACE_MS_DEFAULT = 15_000;
const SHUTDOWN_GRACE_MS_MAX = 120_000;

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

const optionalToken = optionalText.pipe(
  z
    .string()
    .min(TOKEN_LENGTH_MIN, { error: `a token needs at least ${TOKEN_LENGTH_MIN} characters` })
    .optional(),
);

/** Env fields both services share. Each service extends this and validates once at boot. */
export const commonEnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Set both of these when DATABASE_URL goes through a transaction pooler (PgBouncer in
   * `npm start -- --replicas N`, docs/scaling.md): queries are then sent unnamed, and migrations
   * run on a direct connection to PostgreSQL, since neither a named statement nor the migrations'
   * session lock outlives a transaction there.
   */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
  DATABASE_MIGRATION_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .optional(),
  KAFKA_BROKERS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port')).min(1, 'needs at least one broker'),
    ),
  NATS_URL: z.string().regex(/^(nats|tls):\/\/[^\s]+$/, 'must be a nats:// URL'),
  /** Prefix for Kafka topics, consumer groups and NATS subjects; lets test files share one broker. */
  WALLET_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9-]*\.?$/, 'lower-case letters, digits and dashes, optionally ending in a dot')
    .default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Requests at least this slow are logged at warn; the others only at debug (http/request-log.ts). */
  LOG_SLOW_REQUEST_MS: z.coerce.number().int().min(0).max(600_000).default(SLOW_REQUEST_MS_DEFAULT),
  /** Bearer tokens (see http/access-tokens.ts). At least one is required unless WALLET_AUTH_DISABLED=true. */
  WALLET_OPERATOR_TOKEN: optionalToken,
  WALLET_READER_TOKEN: optionalToken,
  WALLET_TOKENS_FILE: optionalText,
  /** Development only: every request acts as the operator. Spelled out so it is never on by accident. */
  WALLET_AUTH_DISABLED: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  RATE_LIMIT_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .max(RATE_LIMIT_PER_SECOND_MAX)
    .default(RATE_LIMIT_PER_SECOND_DEFAULT),
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(SHUTDOWN_GRACE_MS_MAX)
    .default(SHUTDOWN_GRACE_MS_DEFAULT),
});

export type CommonConfig = z.infer<typeof commonEnvSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Validates env against a schema; a bad value names the variable and what is wrong with it.
 * Secure by default: a service with no token and no explicit WALLET_AUTH_DISABLED=true does not start.
 * The tokens file is read here too, so a bad one stops the service before it connects to anything.
 */
export function loadConfig<S extends typeof commonEnvSchema>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    assertAccessConfigured(result.data);
    readTokenTable(result.data);
    return result.data;
  }
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    const value = env[name];
    const shown =
      value === undefined ? 'not set' : `got "${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
    return `  ${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

function assertAccessConfigured(config: CommonConfig): void {
  if (config.WALLET_AUTH_DISABLED) return;
  if (config.WALLET_OPERATOR_TOKEN || config.WALLET_READER_TOKEN || config.WALLET_TOKENS_FILE) return;
  throw new ConfigError(
    'invalid configuration:\n  WALLET_OPERATOR_TOKEN: no access token is configured; set WALLET_OPERATOR_TOKEN ' +
      `(at least ${TOKEN_LENGTH_MIN} characters, e.g. \`openssl rand -hex 32\`), WALLET_READER_TOKEN or ` +
      'WALLET_TOKENS_FILE, or WALLET_AUTH_DISABLED=true for a development setup without authentication',
  );
}

export type TokenConfig = Pick<
  CommonConfig,
  'WALLET_OPERATOR_TOKEN' | 'WALLET_READER_TOKEN' | 'WALLET_TOKENS_FILE' | 'WALLET_AUTH_DISABLED'
>;

/** The token table from the config; a tokens file that cannot be read, parsed or used is a ConfigError. */
export function readTokenTable(config: TokenConfig): TokenEntry[] {
  let tokens: TokenEntry[];
  try {
    tokens = loadTokenTable({
      operatorToken: config.WALLET_OPERATOR_TOKEN,
      readerToken: config.WALLET_READER_TOKEN,
      tokensFile: config.WALLET_TOKENS_FILE,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`invalid configuration:\n  WALLET_TOKENS_FILE: cannot be used: ${reason}`);
  }
  if (tokens.length === 0 && !config.WALLET_AUTH_DISABLED) {
    throw new ConfigError(
      'invalid configuration:\n  WALLET_TOKENS_FILE: lists no tokens; set WALLET_OPERATOR_TOKEN … ' +
        'or WALLET_AUTH_DISABLED=true for a development setup',
    );
  }
  return tokens;
}
