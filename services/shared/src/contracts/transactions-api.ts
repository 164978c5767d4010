import { z } from 'zod';
import { amountInputSchema, cursorSchema, pageLimitSchema, userIdSchema } from './common.ts';

/** transactions-service HTTP contract (port 8081). */
export const addMoneyBodySchema = z.object({ user_id: userIdSchema, amount: amountInputSchema });
export const addMoneyResponseSchema = z.object({
  updated_balance: z.number(),
  user_id: userIdSchema,
  transaction_id: z.uuid(),
});

/** `amount_to_transfer` is the field name of the original roadmap spec; both are accepted. */
export const transferMoneyBodySchema = z
  .object({
    from_user_id: userIdSchema,
    to_user_id: userIdSchema,
    amount: amountInputSchema.optional(),
    amount_to_transfer: amountInputSchema.optional(),
  })
  .refine((body) => (body.amount === undefined) !== (body.amount_to_transfer === undefined), {
    message: 'give exactly one of amount or amount_to_transfer',
    path: ['amount'],
  });
export const transferMoneyResponseSchema = z.object({
  transfer_id: z.uuid(),
  from_user_id: userIdSchema,
  to_user_id: userIdSchema,
  amount: z.number(),
  from_balance: z.number(),
  to_balance: z.number(),
});

export const transactionKindSchema = z.enum(['deposit', 'transfer_out', 'transfer_in']);
export const transactionSchema = z.object({
  id: z.uuid(),
  user_id: userIdSchema,
  kind: transactionKindSchema,
  balance_change: z.number(),
  old_balance: z.number(),
  new_balance: z.number(),
  transfer_id: z.uuid().nullable(),
  counterparty_id: userIdSchema.nullable(),
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

export const walletSchema = z.object({ user_id: userIdSchema, balance: z.number(), created_at: z.string() });
export const walletPageSchema = z.object({
  wallets: z.array(walletSchema),
  next_cursor: z.string().nullable(),
});
