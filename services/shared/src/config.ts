import { z } from 'zod';

/** Env fields both services share. Each service extends this and validates once at boot. */
export const commonEnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
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
});

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates env against a schema; a bad value names the variable and what is wrong with it. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    const value = env[name];
    const shown =
      value === undefined ? 'not set' : `got "${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
    return `  ${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}
