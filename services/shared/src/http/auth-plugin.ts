import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { authenticate, type Principal, type TokenEntry } from './access-tokens.ts';

/** What a route needs: `public` (health, docs), `read`, `move` (money from one's own wallet), `operator`. */
export type RouteAccess = 'public' | 'read' | 'move' | 'operator';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
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
  options: { tokens: TokenEntry[]; disabled: boolean },
): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (isPublicRoute(request) || request.is404) return;
    const access = request.routeOptions.config?.access ?? 'operator';
    if (options.disabled) {
      request.principal = UNAUTHENTICATED;
      return;
    }
    const token = readBearerToken(request.headers.authorization);
    if (!token) throw new AppError('UNAUTHORIZED', 'send Authorization: Bearer <token>');
    const principal = authenticate(options.tokens, token);
    if (!principal) throw new AppError('UNAUTHORIZED', 'the bearer token is not valid');
    if (!allows(principal, access))
      throw new AppError('FORBIDDEN', `a ${principal.scope} token cannot do this`);
    request.principal = principal;
  });
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
