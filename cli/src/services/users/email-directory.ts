import type { UsersApi } from '../api/users-api.ts';

/** How many user id → email pairs we keep; the oldest is forgotten first. */
export const EMAIL_DIRECTORY_SIZE_MAX = 10_000;

export type EmailDirectory = {
  remember(userId: string, email: string): void;
  /** The email if known now, without a request. */
  known(userId: string): string | undefined;
  /** The email, asking user-service once per unknown id; undefined if it cannot say. */
  lookup(userId: string): Promise<string | undefined>;
};

/** Names users in event feeds. Failed lookups are remembered too, so a feed never hammers the service. */
export function createEmailDirectory(users: UsersApi, sizeMax = EMAIL_DIRECTORY_SIZE_MAX): EmailDirectory {
  const emails = new Map<string, string | null>();
  const put = (userId: string, email: string | null) => {
    emails.delete(userId);
    emails.set(userId, email);
    if (emails.size > sizeMax) emails.delete(emails.keys().next().value!);
  };
  return {
    remember: (userId, email) => put(userId, email),
    known: (userId) => emails.get(userId) ?? undefined,
    async lookup(userId) {
      const cached = emails.get(userId);
      if (cached !== undefined) return cached ?? undefined;
      try {
        const user = await users.getUser(userId);
        put(userId, user.email);
        return user.email;
      } catch {
        put(userId, null);
        return undefined;
      }
    },
  };
}
