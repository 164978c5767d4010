import { z } from 'zod';
import { commonEnvSchema, loadConfig } from '../../shared/src/config.ts';

export const PORT_DEFAULT = 8081;
export const PORT_MAX = 65_535;
/** Hours an idempotency key is kept before the cleanup may delete it (the promise to clients is ≥ 24 h). */
export const IDEMPOTENCY_KEY_RETENTION_HOURS = 48;
export const IDEMPOTENCY_CLEANUP_INTERVAL_MS_DEFAULT = 10 * 60 * 1_000;
/** How often each replica looks for pending holds past expires_at: the most a hold outlives its time. */
export const HOLD_EXPIRY_INTERVAL_MS_DEFAULT = 1_000;
/** How often the ledger is checkpointed (when something changed): history older than this is pinned outside. */
export const LEDGER_CHECKPOINT_INTERVAL_MS_DEFAULT = 60_000;
/** Group commit (operations/money-command-batcher.ts): batches in flight at once, and their largest size. */
export const MONEY_BATCH_CONCURRENCY_DEFAULT = 4;
export const MONEY_BATCH_MAX_SIZE_DEFAULT = 64;

export const transactionsEnvSchema = commonEnvSchema.extend({
  /** 0 picks a free port (tests); `startTransactionsService` reports the real one in `url`. */
  PORT: z.coerce.number().int().min(0).max(PORT_MAX).default(PORT_DEFAULT),
  IDEMPOTENCY_CLEANUP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(24 * 60 * 60 * 1_000)
    .default(IDEMPOTENCY_CLEANUP_INTERVAL_MS_DEFAULT),
  HOLD_EXPIRY_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60 * 60 * 1_000)
    .default(HOLD_EXPIRY_INTERVAL_MS_DEFAULT),
  LEDGER_CHECKPOINT_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(24 * 60 * 60 * 1_000)
    .default(LEDGER_CHECKPOINT_INTERVAL_MS_DEFAULT),
  MONEY_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(MONEY_BATCH_CONCURRENCY_DEFAULT),
  /** 1 turns group commit off: every money command is a transaction of its own. */
  MONEY_BATCH_MAX_SIZE: z.coerce.number().int().min(1).max(500).default(MONEY_BATCH_MAX_SIZE_DEFAULT),
});

export type TransactionsConfig = z.infer<typeof transactionsEnvSchema>;

/** Validates the environment once at boot; throws ConfigError naming every bad variable. */
export function loadTransactionsConfig(env: Record<string, string | undefined>): TransactionsConfig {
  return loadConfig(transactionsEnvSchema, env);
}
