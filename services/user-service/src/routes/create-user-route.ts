import { problemSchema } from '../../../shared/src/contracts/common.ts';
import { createUserBodySchema, userSchema } from '../../../shared/src/contracts/users-api.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import {
  IDEMPOTENCY_REPLAYED_HEADER,
  idempotentRequestHeadersSchema,
  readCallerIdempotencyKey,
} from '../../../shared/src/http/idempotency-key-header.ts';
import type { UserAppDeps } from '../app-deps.ts';
import { createUser } from '../users/create-user.ts';
import { toUserView } from '../users/user-view.ts';

export function registerCreateUserRoute(app: HttpApp, deps: UserAppDeps): void {
  app.post(
    '/createUser',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Create a user (and, through the user-created event, their wallet)',
        description:
          'The email is trimmed and stored lower-case; it is unique regardless of case (409 EMAIL_TAKEN). ' +
          'An optional Idempotency-Key header makes a retry with the same email answer the first response again.',
        tags: ['users'],
        headers: idempotentRequestHeadersSchema,
        body: createUserBodySchema,
        response: { 201: userSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const idempotencyKey = readCallerIdempotencyKey(request);
      const result = await createUser(deps.pool, {
        email: request.body.email,
        idempotencyKey,
        namespace: deps.config.WALLET_NAMESPACE,
        requestId: request.id,
      });
      // The event is committed; wake the relay instead of waiting for its next poll.
      if (!result.replayed) deps.relay.nudge();
      if (result.replayed) reply.header(IDEMPOTENCY_REPLAYED_HEADER, 'true');
      return reply.status(201).send(toUserView(result.user));
    },
  );
}
