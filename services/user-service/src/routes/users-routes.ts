import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  listUsersQuerySchema,
  userPageSchema,
  userParamsSchema,
  userSchema,
} from '../../../shared/src/contracts/users-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { assertOwnEmail } from '../../../shared/src/http/access-control.ts';
import { assertMayActFor, assertMayReadAll } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import { keysetPage } from '../../../shared/src/http/page-cursor.ts';
import type { UserAppDeps } from '../app-deps.ts';
import { decodeUserCursor, encodeUserCursor } from '../repositories/user-page-cursor.ts';
import { findUserByEmail, findUserById, listUsersPage } from '../repositories/users-repository.ts';
import { createEmailOfUser } from '../users/email-of-user.ts';
import { toUserView } from '../users/user-view.ts';

export function registerUsersRoutes(app: HttpApp, deps: UserAppDeps): void {
  const emailOfUser = createEmailOfUser(deps.pool);
  app.get(
    '/users',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List users in creation order (keyset-paged), or look one up by ?email=',
        tags: ['users'],
        querystring: listUsersQuerySchema,
        response: { 200: userPageSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      const { email, limit, cursor } = request.query;
      // Checked whatever the query asks: a malformed cursor is 400 even beside ?email=.
      const after = cursor === undefined ? undefined : decodeUserCursor(cursor);
      if (email !== undefined) {
        // Before the lookup: another user's email and an unregistered one get the same 403.
        await assertOwnEmail(request, email, emailOfUser);
        const user = await findUserByEmail(deps.pool, email);
        return { users: user ? [toUserView(user)] : [], next_cursor: null };
      }
      // A user token may look itself up by ?email=, but not list everyone.
      assertMayReadAll(request);
      const rows = await listUsersPage(deps.pool, { limit: limit + 1, after });
      const { page, nextCursor } = keysetPage(rows, limit, (last) =>
        encodeUserCursor({ createdAtExact: last.created_at_exact, userId: last.user_id }),
      );
      return { users: page.map(toUserView), next_cursor: nextCursor };
    },
  );

  app.get(
    '/users/:user_id',
    {
      config: { access: 'read' },
      schema: {
        summary: 'One user by id',
        tags: ['users'],
        params: userParamsSchema,
        response: { 200: userSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      // Before the lookup: another user's id and nobody's get the same 403.
      assertMayActFor(request, request.params.user_id);
      const user = await findUserById(deps.pool, request.params.user_id);
      if (!user) throw new AppError('USER_NOT_FOUND', `no user with id ${request.params.user_id}`);
      return toUserView(user);
    },
  );
}
