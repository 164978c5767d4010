import { z } from 'zod';
import { emailSchema } from './common.ts';

/**
 * NATS request-reply between user-service and transactions-service. Subjects get the
 * WALLET_NAMESPACE prefix; responders subscribe in a queue group so replicas share the load.
 */
export const BALANCE_SUBJECT = 'wallet.balance.get';
export const BALANCE_QUEUE_GROUP = 'transactions-service';

export function balanceSubject(namespace: string): string {
  return `${namespace}${BALANCE_SUBJECT}`;
}

const decimalText = z.string().regex(/^\d+\.\d{2}$/);

export const balanceRequestSchema = z.object({ user_id: z.uuid() });
export type BalanceRequest = z.infer<typeof balanceRequestSchema>;

export const balanceReplySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    user_id: z.uuid(),
    balance: decimalText,
    held: decimalText,
    available_balance: decimalText,
    status: z.enum(['active', 'frozen', 'closed']),
  }),
  z.object({
    ok: z.literal(false),
    // BUSY: the responder already works on as many requests as it takes at once.
    code: z.enum(['WALLET_NOT_FOUND', 'INVALID_REQUEST', 'INTERNAL_ERROR', 'BUSY']),
  }),
]);
export type BalanceReply = z.infer<typeof balanceReplySchema>;

/**
 * transactions-service asks user-service whom an email names, to pay someone by email
 * (POST /transferMoney with `to_email`). The reply holds the user id and nothing else: the payer
 * learns no more about the payee than the transfer itself tells.
 */
export const USER_BY_EMAIL_SUBJECT = 'wallet.user.by-email';
export const USER_BY_EMAIL_QUEUE_GROUP = 'user-service';

export function userByEmailSubject(namespace: string): string {
  return `${namespace}${USER_BY_EMAIL_SUBJECT}`;
}

export const userByEmailRequestSchema = z.object({ email: emailSchema });
export type UserByEmailRequest = z.infer<typeof userByEmailRequestSchema>;

export const userByEmailReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), user_id: z.uuid() }),
  z.object({
    ok: z.literal(false),
    code: z.enum(['USER_NOT_FOUND', 'INVALID_REQUEST', 'INTERNAL_ERROR', 'BUSY']),
  }),
]);
export type UserByEmailReply = z.infer<typeof userByEmailReplySchema>;
