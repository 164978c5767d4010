import { z } from 'zod';

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
