import type { UserView } from '../../../shared/src/contracts/users-api.ts';
import type { UserRow } from '../repositories/users-repository.ts';

/** The API (and event) form of a user: created_at as ISO-8601 UTC. */
export function toUserView(row: UserRow): UserView {
  return { user_id: row.user_id, email: row.email, created_at: row.created_at.toISOString() };
}
