import { z } from 'zod';
import {
  exactlyOneOfJsonSchema,
  rfc3339JsonSchema,
  trimmedTextJsonSchema,
} from '../http/openapi-patterns.ts';
import { TIME_TEXT_LENGTH_MAX } from '../rfc3339-time.ts';
import { amountInputSchema, cursorSchema, emailSchema, pageLimitSchema, userIdSchema } from './common.ts';

/** transactions-service HTTP contract (port 8081). */

/**
 * A wallet is `active` (everything allowed), `frozen` (money in lands, nothing leaves: no
 * withdrawal, transfer, hold or capture from it) or `closed` (read-only, every money command refused).
 */
export const walletStatusSchema = z.enum(['active', 'frozen', 'closed']);
export type WalletStatus = z.infer<typeof walletStatusSchema>;

/** Why an operator froze, unfroze or closed a wallet: kept with the wallet and in the event. */
export const STATUS_REASON_LENGTH_MAX = 500;
const reasonSchema = z
  .string()
  .trim()
  .min(1)
  .max(STATUS_REASON_LENGTH_MAX)
  .meta(trimmedTextJsonSchema(STATUS_REASON_LENGTH_MAX));

export const addMoneyBodySchema = z.object({ user_id: userIdSchema, amount: amountInputSchema });
export const addMoneyResponseSchema = z.object({
  updated_balance: z.number(),
  user_id: userIdSchema,
  transaction_id: z.uuid(),
  available_balance: z.number(),
});

export const withdrawMoneyBodySchema = addMoneyBodySchema;
export const withdrawMoneyResponseSchema = z.object({
  transaction_id: z.uuid(),
  user_id: userIdSchema,
  amount: z.number(),
  updated_balance: z.number(),
  available_balance: z.number(),
});

/**
 * `amount_to_transfer` is the field name of the original roadmap spec; both are accepted.
 * The payee is `to_user_id` or `to_email` (exactly one): a user token pays someone by email
 * without reading user-service, which it may not (transactions-service asks user-service over NATS).
 */
export const transferMoneyBodySchema = z
  .object({
    from_user_id: userIdSchema,
    to_user_id: userIdSchema.optional(),
    to_email: emailSchema.optional().meta({
      description:
        'Pay the user with this email. For a user token, an unregistered email gets the same 404 ' +
        'USER_NOT_FOUND as a payee whose wallet takes no payment (closed, not open yet, at the balance limit).',
    }),
    amount: amountInputSchema.optional(),
    amount_to_transfer: amountInputSchema.optional(),
  })
  .refine((body) => (body.to_user_id === undefined) !== (body.to_email === undefined), {
    message: 'give exactly one of to_user_id or to_email',
    path: ['to_email'],
  })
  .refine((body) => (body.amount === undefined) !== (body.amount_to_transfer === undefined), {
    message: 'give exactly one of amount or amount_to_transfer',
    path: ['amount'],
  })
  .meta(exactlyOneOfJsonSchema(['to_user_id', 'to_email'], ['amount', 'amount_to_transfer']));
export const transferMoneyResponseSchema = z.object({
  transfer_id: z.uuid(),
  from_user_id: userIdSchema,
  to_user_id: userIdSchema,
  amount: z.number(),
  from_balance: z.number(),
  /** The payee's balance after the transfer: for operator and reader tokens only, never a user token's. */
  to_balance: z.number().optional(),
  from_available_balance: z.number(),
});

/** Holds: money reserved on the sender until captured (moved), voided or expired (released). */
export const HOLD_EXPIRY_DEFAULT_SECONDS = 15 * 60;
export const HOLD_EXPIRY_MAX_SECONDS = 7 * 24 * 60 * 60;
export const holdStatusSchema = z.enum(['pending', 'captured', 'voided', 'expired']);
export type HoldStatus = z.infer<typeof holdStatusSchema>;

/** The range is checked in the handler so that a bad value gets INVALID_EXPIRY, not VALIDATION_FAILED. */
export const createHoldBodySchema = z.object({
  from_user_id: userIdSchema,
  to_user_id: userIdSchema,
  amount: amountInputSchema,
  expires_in_seconds: z
    .number()
    .meta({ type: 'integer', minimum: 1, maximum: HOLD_EXPIRY_MAX_SECONDS })
    .optional(),
});
export const holdParamsSchema = z.object({ hold_id: z.uuid({ error: 'must be a UUID' }) });
/** Capture all (no amount) or part; the rest of the hold is released. */
export const captureHoldBodySchema = z.object({ amount: amountInputSchema.optional() }).nullish();
export const voidHoldBodySchema = z.object({}).nullish();

export const holdSchema = z.object({
  hold_id: z.uuid(),
  from_user_id: userIdSchema,
  to_user_id: userIdSchema,
  amount: z.number(),
  /** captured: what moved to the receiver (≤ amount); null otherwise. */
  captured_amount: z.number().nullable(),
  status: holdStatusSchema,
  expires_at: z.string(),
  created_at: z.string(),
  /** When it stopped being pending; null while pending. */
  resolved_at: z.string().nullable(),
  /** captured: the transfer that moved the money. */
  transfer_id: z.uuid().nullable(),
});
export type HoldView = z.infer<typeof holdSchema>;

/** A hold command's answer: the hold and the sender's balances after it. Capture adds the receiver's. */
export const holdResponseSchema = holdSchema.extend({
  balance: z.number(),
  held: z.number(),
  available_balance: z.number(),
  to_balance: z.number().optional(),
});

export const listHoldsQuerySchema = z.object({
  user_id: userIdSchema,
  status: holdStatusSchema.optional(),
  limit: pageLimitSchema,
  cursor: cursorSchema,
});
export const holdPageSchema = z.object({ holds: z.array(holdSchema), next_cursor: z.string().nullable() });

/** Reversals: all of what remains by default, or part; the sum never exceeds the original. */
export const reverseBodySchema = z
  .object({ amount: amountInputSchema.optional(), reason: reasonSchema.optional() })
  .nullish();
export const transferParamsSchema = z.object({ transfer_id: z.uuid({ error: 'must be a UUID' }) });
export const depositParamsSchema = z.object({ transaction_id: z.uuid({ error: 'must be a UUID' }) });

/** Money goes back from the original receiver (`from_user_id` here) to the original sender. */
export const transferReversalResponseSchema = z.object({
  reversal_id: z.uuid(),
  transfer_id: z.uuid(),
  from_user_id: userIdSchema,
  to_user_id: userIdSchema,
  amount: z.number(),
  reversed_total: z.number(),
  remaining: z.number(),
  from_balance: z.number(),
  to_balance: z.number(),
  from_available_balance: z.number(),
});
export const depositReversalResponseSchema = z.object({
  reversal_id: z.uuid(),
  transaction_id: z.uuid(),
  user_id: userIdSchema,
  amount: z.number(),
  reversed_total: z.number(),
  remaining: z.number(),
  updated_balance: z.number(),
  available_balance: z.number(),
});

export const freezeWalletBodySchema = z.object({ reason: reasonSchema });
export const walletStatusBodySchema = z.object({ reason: reasonSchema.optional() }).nullish();

export const transactionKindSchema = z.enum([
  'deposit',
  'withdrawal',
  'transfer_out',
  'transfer_in',
  'hold',
  'hold_release',
  'reversal_out',
  'reversal_in',
  'deposit_reversal',
]);
export type TransactionKind = z.infer<typeof transactionKindSchema>;
export const transactionSchema = z.object({
  id: z.uuid(),
  user_id: userIdSchema,
  /** The wallet's ledger sequence: 1, 2, 3 … per wallet, no gaps. */
  seq: z.number().int(),
  kind: transactionKindSchema,
  balance_change: z.number(),
  old_balance: z.number(),
  new_balance: z.number(),
  held_change: z.number(),
  old_held: z.number(),
  new_held: z.number(),
  /** transfer legs (and reversal legs and captures): the transfer's id. */
  transfer_id: z.uuid().nullable(),
  counterparty_id: userIdSchema.nullable(),
  hold_id: z.uuid().nullable(),
  /** reversal rows: the transfer id or deposit transaction id they reverse. */
  reverses_id: z.uuid().nullable(),
  reason: z.string().nullable(),
  timestamp: z.string(),
});
export type TransactionView = z.infer<typeof transactionSchema>;

export const listTransactionsQuerySchema = z.object({
  user_id: userIdSchema,
  limit: pageLimitSchema,
  cursor: cursorSchema,
});
export const transactionPageSchema = z.object({
  transactions: z.array(transactionSchema),
  next_cursor: z.string().nullable(),
});

export const walletSchema = z.object({
  user_id: userIdSchema,
  balance: z.number(),
  held: z.number(),
  available_balance: z.number(),
  status: walletStatusSchema,
  status_reason: z.string().nullable(),
  /** The ledger sequence of its latest row (0 before the first). */
  seq: z.number().int(),
  created_at: z.string(),
});
export type WalletView = z.infer<typeof walletSchema>;
export const walletPageSchema = z.object({
  wallets: z.array(walletSchema),
  next_cursor: z.string().nullable(),
});

/**
 * Balances at a moment and statements, read from the ledger rows (issue 10). Times are RFC 3339
 * with a time zone; the handler reads them exactly (rfc3339-time.ts) so a bad one is INVALID_TIME.
 */
export const STATEMENT_PERIOD_DAYS_MAX = 366;
const timeTextSchema = z
  .string()
  .max(TIME_TEXT_LENGTH_MAX)
  .meta({
    ...rfc3339JsonSchema,
    description: 'RFC 3339 date-time with a time zone, e.g. 2026-11-01T00:00:00Z',
  });

export const balanceAtQuerySchema = z.object({ at: timeTextSchema });
export const balanceAtSchema = z.object({
  user_id: userIdSchema,
  /** The instant asked about, normalised to UTC. */
  at: z.string(),
  balance: z.number(),
  held: z.number(),
  available_balance: z.number(),
  /** The last ledger row at or before `at`; null before the wallet's first row. */
  as_of_transaction_id: z.uuid().nullable(),
});
export type BalanceAtView = z.infer<typeof balanceAtSchema>;

export const statementFormatSchema = z.enum(['json', 'csv']);
export const statementQuerySchema = z.object({
  /** Included: rows at or after `from`. */
  from: timeTextSchema,
  /** Excluded: rows before `to`, so consecutive periods tile without overlap. */
  to: timeTextSchema,
  limit: pageLimitSchema,
  cursor: cursorSchema,
  /** csv (or `Accept: text/csv`): the whole period as CSV, streamed; limit and cursor are ignored. */
  format: statementFormatSchema.optional(),
});

/** Money in and out of the balance by one kind of row over the whole period; amount_out is positive. */
export const kindTotalsSchema = z.object({
  count: z.number().int(),
  amount_in: z.number(),
  amount_out: z.number(),
});
export type KindTotalsView = z.infer<typeof kindTotalsSchema>;
export const statementTotalsSchema = z.object({
  deposit: kindTotalsSchema,
  withdrawal: kindTotalsSchema,
  transfer_out: kindTotalsSchema,
  transfer_in: kindTotalsSchema,
  hold: kindTotalsSchema,
  hold_release: kindTotalsSchema,
  reversal_out: kindTotalsSchema,
  reversal_in: kindTotalsSchema,
  deposit_reversal: kindTotalsSchema,
}) satisfies z.ZodType<Record<TransactionKind, KindTotalsView>>;

/**
 * One page of a statement. Opening, closing and totals are always those of the whole period:
 * closing_balance = opening_balance + Σ balance_change over every row of the period.
 */
export const statementSchema = z.object({
  user_id: userIdSchema,
  from: z.string(),
  to: z.string(),
  opening_balance: z.number(),
  closing_balance: z.number(),
  opening_held: z.number(),
  closing_held: z.number(),
  totals: statementTotalsSchema,
  /** This page's rows in ledger order (ascending seq). */
  transactions: z.array(transactionSchema),
  next_cursor: z.string().nullable(),
});
export type StatementView = z.infer<typeof statementSchema>;
