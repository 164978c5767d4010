import { z } from 'zod';
import { amountJsonSchema, cursorJsonSchema, emailJsonSchema } from '../http/openapi-patterns.ts';

/** Emails are trimmed and compared case-insensitively; the stored form is lower case. */
export const EMAIL_LENGTH_MAX = 254;
export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 500;
/** The cursors we issue are well under this; anything longer is not one of ours. */
export const CURSOR_LENGTH_MAX = 200;

export const userIdSchema = z.uuid({ error: 'must be a UUID' });

export const emailSchema = z
  .string({ error: 'email must be a string' })
  .trim()
  .min(3, { error: 'email is too short' })
  .max(EMAIL_LENGTH_MAX, { error: `email must be at most ${EMAIL_LENGTH_MAX} characters` })
  .pipe(z.email({ error: 'email is not a valid address' }))
  .transform((email) => email.toLowerCase())
  .meta(emailJsonSchema(EMAIL_LENGTH_MAX));

/**
 * An amount as the client sent it: a JSON number or decimal text. A number a double would round
 * arrives as its source text (http/json-body-parser.ts), so it passes here as a string. The exact
 * reading into minor units (money.ts parseAmount) happens in the handler so its error is INVALID_AMOUNT.
 */
export const amountInputSchema = z
  .union([z.number(), z.string().max(32)], {
    error: 'amount must be a number or a decimal string',
  })
  .meta(amountJsonSchema(32));

export const pageLimitSchema = z.coerce
  .number({ error: 'limit must be a number' })
  .int({ error: 'limit must be an integer' })
  .min(1, { error: 'limit must be at least 1' })
  .max(PAGE_LIMIT_MAX, { error: `limit must be at most ${PAGE_LIMIT_MAX}` })
  .default(PAGE_LIMIT_DEFAULT);

export const cursorSchema = z
  .string()
  .max(CURSOR_LENGTH_MAX)
  .meta(cursorJsonSchema(CURSOR_LENGTH_MAX))
  .optional();

/** Money leaves as a JSON number with its exact cents (see money.ts minorToNumber). */
export const moneySchema = z.number();

/** RFC 9457 problem details; loose, because a problem may carry extension members (errors, checks …). */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string(),
  instance: z.string().optional(),
  request_id: z.string().optional(),
});
