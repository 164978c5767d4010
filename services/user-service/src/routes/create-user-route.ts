import { problemSchema } from '../../../shared/src/contracts/common.ts';
import { createUserBodySchema, userSchema } from '../../../shared/src/contracts/users-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import type { UserAppDeps } from '../app-deps.ts';
import { createUser } from '../users/create-user.ts';
import { toUserView } from '../users/user-view.ts';

/** The same key rules and reply header as transactions-service, so a client learns them once. */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 200;
const IDEMPOTENCY_KEY_PATTERN = new RegExp(`^[A-Za-z0-9._:-]{1,${IDEMPOTENCY_KEY_LENGTH_MAX}}$`);
const IDEMPOTENCY_REPLAYED_HEADER = 'idempotency-replayed';

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
        body: createUserBodySchema,
        response: { 201: userSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request, reply) => {
      const idempotencyKey = readIdempotencyKey(request.headers['idempotency-key']);
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

function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new AppError(
      'INVALID_IDEMPOTENCY_KEY',
      `Idempotency-Key must be 1–${IDEMPOTENCY_KEY_LENGTH_MAX} characters of A-Z a-z 0-9 . _ : -`,
    );
  }
  return header;
}
