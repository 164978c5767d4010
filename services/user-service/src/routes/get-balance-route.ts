import { problemSchema } from '../../../shared/src/contracts/common.ts';
import {
  balanceResponseSchema,
  getBalanceBodySchema,
  getBalanceQuerySchema,
} from '../../../shared/src/contracts/users-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { assertOwnEmail } from '../../../shared/src/http/access-control.ts';
import { assertMayActFor } from '../../../shared/src/http/auth-plugin.ts';
import type { HttpApp } from '../../../shared/src/http/create-http-app.ts';
import type { UserAppDeps } from '../app-deps.ts';
import { createEmailOfUser } from '../users/email-of-user.ts';
import { getBalance } from '../users/get-balance.ts';
import { createUserIdentityLookup } from '../users/user-identity-cache.ts';

/**
 * Clients that always send `Content-Type: application/json` may send it on a GET with no body
 * (`curl -H 'Content-Type: application/json' '…/getBalance?email=…'`). Here an empty JSON body
 * counts as no body, so ?email= still works; anything else is parsed by Fastify's own JSON parser.
 * Call on a scope that holds only this route: content-type parsers are per scope.
 */
export function allowEmptyJsonBody(scope: HttpApp): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, null);
      return;
    }
    parseJson(request, text, done);
  });
}

export function registerGetBalanceRoute(app: HttpApp, deps: UserAppDeps): void {
  const findUser = createUserIdentityLookup(deps.pool);
  const emailOfUser = createEmailOfUser(deps.pool);
  app.get(
    '/getBalance',
    {
      config: { access: 'read' },
      schema: {
        summary: "A user's balance, asked from transactions-service over NATS",
        description:
          'Send {"email": …} as a JSON body, or ?email= for clients that cannot send a body with GET ' +
          '(the body wins when both are given). 503 WALLET_PENDING while the wallet is still being opened.',
        tags: ['users'],
        querystring: getBalanceQuerySchema,
        body: getBalanceBodySchema,
        response: { 200: balanceResponseSchema, '4xx': problemSchema, '5xx': problemSchema },
      },
    },
    async (request) => {
      const email = request.body?.email ?? request.query.email;
      if (email === undefined) {
        throw new AppError('INVALID_EMAIL', 'give the email as a JSON body {"email": …} or as ?email=');
      }
      // Before the lookup: another user's email and an unregistered one get the same 403.
      await assertOwnEmail(request, email, emailOfUser);
      return getBalance(
        findUser,
        {
          nc: deps.nc,
          natsState: deps.natsState,
          namespace: deps.config.WALLET_NAMESPACE,
          timeoutMs: deps.config.BALANCE_REQUEST_TIMEOUT_MS,
          log: request.log,
          onResult: (result, seconds) =>
            deps.metrics.natsRequestSeconds.observe({ subject: 'balance', result }, seconds),
        },
        { email, requestId: request.id, authorize: (userId) => assertMayActFor(request, userId) },
      );
    },
  );
}
