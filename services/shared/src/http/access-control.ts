import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { type CommonConfig, readTokenTable, type TokenConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import {
  ADDRESS_KEY_PREFIX,
  callerOf,
  isPublicRoute,
  registerAuth,
  TOKEN_KEY_PREFIX,
  type TokenCallers,
  tokenCallers,
} from './auth-plugin.ts';
import type { HttpApp } from './create-http-app.ts';

/** The rate limit counts requests in windows of this length; RATE_LIMIT_PER_SECOND is per window. */
export const RATE_LIMIT_WINDOW_MS = 1_000;
/**
 * Per client address, requests without a valid token (health probes are not counted) get at most
 * this many per window, or RATE_LIMIT_PER_SECOND if lower: plenty for a client that lost its
 * token, and made-up tokens stay slow to try.
 */
export const RATE_LIMIT_WITHOUT_TOKEN_PER_SECOND_MAX = 1_000;
/** Callers tracked at once per replica; the least recent are forgotten first, so memory stays bounded. */
export const RATE_LIMIT_TRACKED_CALLERS_MAX = 10_000;

export type AccessConfig = TokenConfig & Pick<CommonConfig, 'RATE_LIMIT_PER_SECOND'>;

/**
 * Everything that decides who may call a service, shared by both: the token table, the rate
 * limit per caller, the bearer check per route (`config.access`), and the bearer security
 * scheme on every protected operation in /openapi.json. Call before registering routes.
 */
export async function registerAccessControl(app: HttpApp, config: AccessConfig): Promise<void> {
  // Read again from the validated config (loadConfig already read it once, to fail at boot).
  const tokens = tokenCallers(readTokenTable(config));
  if (config.WALLET_AUTH_DISABLED) {
    app.log.warn(
      'WALLET_AUTH_DISABLED=true: AUTHENTICATION IS OFF and every request acts as the operator. ' +
        'Never run like this where anyone but you can reach the port.',
    );
  }
  // The limit runs before the token check, so guessing tokens is limited too (per address).
  await app.register(rateLimit, {
    global: false,
    max: (_request, key) =>
      key.startsWith(TOKEN_KEY_PREFIX)
        ? config.RATE_LIMIT_PER_SECOND
        : Math.min(config.RATE_LIMIT_PER_SECOND, RATE_LIMIT_WITHOUT_TOKEN_PER_SECOND_MAX),
    timeWindow: RATE_LIMIT_WINDOW_MS,
    cache: RATE_LIMIT_TRACKED_CALLERS_MAX,
    keyGenerator: (request) => rateLimitKey(request, tokens),
    allowList: (request) => isPublicRoute(request),
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'RATE_LIMITED',
        `more than ${context.max} requests per second from this caller; retry in ${context.after}`,
      ),
  });
  app.addHook('onRequest', app.rateLimit());
  registerAuth(app, { tokens, disabled: config.WALLET_AUTH_DISABLED });
  documentBearerSecurity(app);
}

/**
 * A valid token is limited on its own (several clients behind one address do not share a
 * budget); anything else by client address, so made-up tokens cannot buy fresh budgets.
 */
function rateLimitKey(request: FastifyRequest, tokens: TokenCallers): string {
  const caller = callerOf(request, tokens);
  return 'rateLimitKey' in caller ? caller.rateLimitKey : `${ADDRESS_KEY_PREFIX}${request.ip}`;
}

/** Every operation that needs a token says so in OpenAPI (the scheme itself is in create-http-app.ts). */
function documentBearerSecurity(app: HttpApp): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.access === 'public' || !route.schema || route.schema.hide) return;
    route.schema.security ??= [{ bearer: [] }];
  });
}

/**
 * The one answer a user token gets for any email or id but its own, whether it names a user or
 * nobody: the same status, code and words as assertMayActFor's, so nothing tells the two apart.
 */
export function notYourOwn(): AppError {
  return new AppError('FORBIDDEN', 'this token may only act on its own wallet');
}

/** The user a user token is tied to (lower-cased); undefined for operator and reader tokens. */
export function userTokenOwner(request: FastifyRequest): string | undefined {
  const principal = request.principal;
  return principal?.scope === 'user' ? principal.userId.toLowerCase() : undefined;
}

/**
 * A user token may name only its own email. Decided from the token's own user (`emailOf` its id)
 * before the named email is looked up, so an unregistered email and another user's cost and
 * answer the same. Operator and reader tokens pass.
 */
export async function assertOwnEmail(
  request: FastifyRequest,
  email: string,
  emailOf: (userId: string) => Promise<string | undefined>,
): Promise<void> {
  const owner = userTokenOwner(request);
  if (owner === undefined) return;
  const ownEmail = await emailOf(owner);
  if (ownEmail === undefined || ownEmail.toLowerCase() !== email.toLowerCase()) throw notYourOwn();
}
