import type { Queryable } from '../../../shared/src/db/queryable.ts';
import type { UserPagePosition } from './user-page-cursor.ts';

/** A users row as the API shows it, plus the exact created_at text that page cursors carry. */
export type UserRow = {
  user_id: string;
  email: string;
  created_at: Date;
  created_at_exact: string;
};

const USER_COLUMNS = `user_id::text, email, created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact`;

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1::text)`,
    [email],
  );
  return rows[0];
}

/** The two columns getBalance needs, as a prepared statement: parsed and planned once per connection. */
export async function findUserIdentityByEmail(
  db: Queryable,
  email: string,
): Promise<{ user_id: string; email: string } | undefined> {
  const { rows } = await db.query<{ user_id: string; email: string }>({
    name: 'user-identity-by-email',
    text: 'SELECT user_id::text, email FROM users WHERE lower(email) = lower($1::text)',
    values: [email],
  });
  return rows[0];
}

export async function findUserById(db: Queryable, userId: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = $1::uuid`, [
    userId,
  ]);
  return rows[0];
}

/** One page in (created_at, user_id) order, strictly after `after` when given. */
export async function listUsersPage(
  db: Queryable,
  page: { limit: number; after: UserPagePosition | undefined },
): Promise<UserRow[]> {
  if (!page.after) {
    const { rows } = await db.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, user_id LIMIT $1::int`,
      [page.limit],
    );
    return rows;
  }
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users
      WHERE (created_at, user_id) > ($1::timestamptz, $2::uuid)
      ORDER BY created_at, user_id LIMIT $3::int`,
    [page.after.createdAtExact, page.after.userId, page.limit],
  );
  return rows;
}
