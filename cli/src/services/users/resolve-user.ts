import { emailSchema, userIdSchema } from '../../../../services/shared/src/contracts/common.ts';
import { errorFor } from '../../error-advice.ts';
import type { UsersApi, UserView } from '../api/users-api.ts';

export type UserRef = { kind: 'id'; userId: string } | { kind: 'email'; email: string };

/** A `<user>` argument is a user id (UUID) or an email; anything else is a usage error. */
export function parseUserRef(text: string): UserRef {
  const trimmed = text.trim();
  if (userIdSchema.safeParse(trimmed).success) return { kind: 'id', userId: trimmed.toLowerCase() };
  const email = emailSchema.safeParse(trimmed);
  if (email.success) return { kind: 'email', email: email.data };
  throw errorFor('INVALID_USER', `"${text}" is neither an email address nor a user id`);
}

/** The user behind a `<user>` argument; USER_NOT_FOUND (exit 3) when there is none. */
export async function resolveUser(users: UsersApi, text: string): Promise<UserView> {
  const ref = parseUserRef(text);
  if (ref.kind === 'id') return users.getUser(ref.userId);
  const page = await users.listUsers({ limit: 1, email: ref.email });
  const user = page.users.find((candidate) => candidate.email.toLowerCase() === ref.email);
  if (!user) throw errorFor('USER_NOT_FOUND', `no user has the email ${ref.email}`, { status: 404 });
  return user;
}
