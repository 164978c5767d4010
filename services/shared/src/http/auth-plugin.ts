import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { digestToken, findTokenEntry, type Principal, type TokenEntry } from './access-tokens.ts';

/** What a route needs: `public` (health, docs), `read`, `move` (money from one's own wallet), `operator`. */
export type RouteAccess = 'public' | 'read' | 'move' | 'operator';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** What the bearer token says, once worked out (see callerOf); undefined until then. */
    bearerCaller?: BearerCaller;
  }
}

/** Rate-limit keys: per valid token, else per client address. */
export const TOKEN_KEY_PREFIX = 'token:';
export const ADDRESS_KEY_PREFIX = 'address:';

/** A valid token's principal and its rate-limit key, or why there is none. */
export type BearerCaller =
  | { principal: Principal; rateLimitKey: string }
  | { missing: 'no-token' | 'unknown-token' };

/** The token table as the request path uses it: each entry with its principal and rate-limit key made once, at boot. */
export type TokenCallers = { entries: TokenEntry[]; callers: Map<TokenEntry, BearerCaller> };

export function tokenCallers(tokens: TokenEntry[]): TokenCallers {
  const callers = new Map<TokenEntry, BearerCaller>();
  for (const entry of tokens) {
    const { digest, ...principal } = entry;
    // The key holds the token's digest, never the token.
    callers.set(entry, { principal, rateLimitKey: `${TOKEN_KEY_PREFIX}${digest.toString('hex')}` });
  }
  return { entries: tokens, callers };
}

/**
 * The caller a request's bearer token names. The rate limit (keyed per token) and the access check
 * both ask, in that order; the token is hashed and looked up once per request, not per question.
 */
export function callerOf(request: FastifyRequest, tokens: TokenCallers): BearerCaller {
  if (request.bearerCaller) return request.bearerCaller;
  const token = readBearerToken(request.headers.authorization);
  const entry = token === undefined ? undefined : findTokenEntry(tokens.entries, digestToken(token));
  const caller: BearerCaller = entry
    ? tokens.callers.get(entry)!
    : { missing: token === undefined ? 'no-token' : 'unknown-token' };
  request.bearerCaller = caller;
  return caller;
}

/** The API description is public: clients need it to learn how to authenticate. */
const PUBLIC_PATH_PREFIXES = ['/docs', '/openapi.json'];

const UNAUTHENTICATED: Principal = { scope: 'operator', name: 'auth-disabled' };
/** RFC 6750 token68 characters, bounded so a huge header costs nothing to reject. */
const BEARER_PATTERN = /^Bearer ([\x21-\x7e]{1,512})$/i;

/** The token of an `Authorization: Bearer …` header, or undefined when there is none or it is malformed. */
export function readBearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return BEARER_PATTERN.exec(header)?.[1];
}

/** Health, metrics and the API description need no token (and are not rate limited). */
export function isPublicRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? '';
  if (PUBLIC_PATH_PREFIXES.some((prefix) => route.startsWith(prefix))) return true;
  return !request.is404 && request.routeOptions.config?.access === 'public';
}

/**
 * Checks the bearer token of every request against the route's `config.access` (default
 * `operator`, so a route that forgot to say is closed, not open). Per-user checks that need
 * the body (whose wallet is this?) call `assertMayActFor` in the handler.
 */
export function registerAuth(
  app: FastifyInstance,
  options: { tokens: TokenCallers; disabled: boolean },
): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('bearerCaller', undefined);
  // A callback hook, not an async one: no promise per request on the hot path.
  app.addHook('onRequest', (request, _reply, done) => {
    done(checkAccess(request, options));
  });
  // On the way out rather than where the 401 is made, so no 401 (of any route or hook) lacks it.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      reply.header('www-authenticate', bearerChallenge(request.headers.authorization));
    }
    done(null, payload);
  });
}

/** An Authorization header that sends something under the Bearer scheme, well-formed or not. */
const BEARER_CREDENTIALS_PATTERN = /^Bearer +\S/i;

/**
 * The WWW-Authenticate of a 401 (RFC 6750 §3): `invalid_token` when a bearer token was sent and
 * refused (unknown or malformed); none when no bearer token was sent, another scheme included,
 * since the client may simply not have known a token was needed.
 */
export function bearerChallenge(authorization: string | string[] | undefined): string {
  const sentToken = typeof authorization === 'string' && BEARER_CREDENTIALS_PATTERN.test(authorization);
  return sentToken ? 'Bearer error="invalid_token"' : 'Bearer';
}

function checkAccess(
  request: FastifyRequest,
  options: { tokens: TokenCallers; disabled: boolean },
): AppError | undefined {
  if (isPublicRoute(request) || request.is404) return undefined;
  const access = request.routeOptions.config?.access ?? 'operator';
  if (options.disabled) {
    request.principal = UNAUTHENTICATED;
    return undefined;
  }
  const caller = callerOf(request, options.tokens);
  if ('missing' in caller) {
    return caller.missing === 'no-token'
      ? new AppError('UNAUTHORIZED', 'send Authorization: Bearer <token>')
      : new AppError('UNAUTHORIZED', 'the bearer token is not valid');
  }
  const { principal } = caller;
  if (!allows(principal, access))
    return new AppError('FORBIDDEN', `a ${principal.scope} token cannot do this`);
  request.principal = principal;
  return undefined;
}

function allows(principal: Principal, access: RouteAccess): boolean {
  if (principal.scope === 'operator') return true;
  if (access === 'read') return true;
  if (access === 'move') return principal.scope === 'user';
  return false;
}

/** A user token may only read or move its own wallet; operators and readers pass (readers only reach read routes). */
export function assertMayActFor(request: FastifyRequest, userId: string): void {
  const principal = request.principal;
  if (principal?.scope === 'user' && principal.userId.toLowerCase() !== userId.toLowerCase()) {
    throw new AppError('FORBIDDEN', 'this token may only act on its own wallet');
  }
}

/** Listing everyone (all users, all wallets) is for operator and reader tokens, never a user token. */
export function assertMayReadAll(request: FastifyRequest): void {
  if (request.principal?.scope === 'user') {
    throw new AppError('FORBIDDEN', 'a user token may only read its own wallet');
  }
}
