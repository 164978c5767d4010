import { z } from 'zod';
import { commonEnvSchema, loadConfig } from '../../shared/src/config.ts';

export const PORT_DEFAULT = 8080;
export const BALANCE_REQUEST_TIMEOUT_MS_DEFAULT = 2_000;
const BALANCE_REQUEST_TIMEOUT_MS_MIN = 10;
const BALANCE_REQUEST_TIMEOUT_MS_MAX = 30_000;

export const userEnvSchema = commonEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(PORT_DEFAULT),
  /** How long getBalance waits for transactions-service over NATS before answering 503. */
  BALANCE_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(BALANCE_REQUEST_TIMEOUT_MS_MIN)
    .max(BALANCE_REQUEST_TIMEOUT_MS_MAX)
    .default(BALANCE_REQUEST_TIMEOUT_MS_DEFAULT),
});

export type UserConfig = z.infer<typeof userEnvSchema>;

/** Validates the environment once at boot; throws ConfigError naming each bad variable. */
export function loadUserConfig(env: Record<string, string | undefined>): UserConfig {
  return loadConfig(userEnvSchema, env);
}
