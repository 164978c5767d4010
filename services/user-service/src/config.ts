import { z } from 'zod';
import { commonEnvSchema, loadConfig } from '../../shared/src/config.ts';

export const PORT_DEFAULT = 8080;
export const BALANCE_REQUEST_TIMEOUT_MS_DEFAULT = 2_000;
const BALANCE_REQUEST_TIMEOUT_MS_MIN = 10;
const BALANCE_REQUEST_TIMEOUT_MS_MAX = 30_000;
export const SHUTDOWN_GRACE_MS_DEFAULT = 10_000;
const SHUTDOWN_GRACE_MS_MAX = 120_000;

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

export const userEnvSchema = commonEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(PORT_DEFAULT),
  /** How long getBalance waits for transactions-service over NATS before answering 503. */
  BALANCE_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(BALANCE_REQUEST_TIMEOUT_MS_MIN)
    .max(BALANCE_REQUEST_TIMEOUT_MS_MAX)
    .default(BALANCE_REQUEST_TIMEOUT_MS_DEFAULT),
  /** How long a SIGTERM waits for in-flight requests and the outbox flush before exiting anyway. */
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(SHUTDOWN_GRACE_MS_MAX)
    .default(SHUTDOWN_GRACE_MS_DEFAULT),
  /** Bearer tokens (see shared/http/access-tokens.ts). With none set, authentication is off. */
  WALLET_OPERATOR_TOKEN: optionalText,
  WALLET_READER_TOKEN: optionalText,
  WALLET_TOKENS_FILE: optionalText,
});

export type UserConfig = z.infer<typeof userEnvSchema>;

/** Validates the environment once at boot; throws ConfigError naming each bad variable. */
export function loadUserConfig(env: Record<string, string | undefined>): UserConfig {
  return loadConfig(userEnvSchema, env);
}
