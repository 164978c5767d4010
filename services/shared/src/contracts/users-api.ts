import { z } from 'zod';
import { cursorSchema, emailSchema, pageLimitSchema, userIdSchema } from './common.ts';
import { walletStatusSchema } from './transactions-api.ts';

/** user-service HTTP contract (port 8080). */
export const createUserBodySchema = z.object({ email: emailSchema });

export const userSchema = z.object({
  user_id: userIdSchema,
  email: z.string(),
  created_at: z.string(),
});
export type UserView = z.infer<typeof userSchema>;

export const getBalanceQuerySchema = z.object({ email: emailSchema.optional() });
/** GET without a body arrives as null, hence nullish. */
export const getBalanceBodySchema = z.object({ email: emailSchema }).nullish();

export const balanceResponseSchema = z.object({
  email: z.string(),
  user_id: userIdSchema,
  /** Posted money: what the wallet has today. */
  balance: z.number(),
  /** Reserved by open holds. */
  held: z.number(),
  /** balance − held: what the user can spend now. */
  available_balance: z.number(),
  status: walletStatusSchema,
});

/** `email` narrows the page to that one user (how the CLI resolves an email to an id). */
export const listUsersQuerySchema = z.object({
  limit: pageLimitSchema,
  cursor: cursorSchema,
  email: emailSchema.optional(),
});
export const userPageSchema = z.object({ users: z.array(userSchema), next_cursor: z.string().nullable() });

export const userParamsSchema = z.object({ user_id: userIdSchema });
