import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem.ts';

type PathMethods = { pattern: RegExp; methods: Set<string> };

/**
 * A request the router cannot place answers 405 METHOD_NOT_ALLOWED with an `Allow` header when
 * its path is served under other methods (RFC 9110 §15.5.6), and stays 404 NOT_FOUND otherwise,
 * so a client learns it used the wrong method rather than a wrong path. HEAD and OPTIONS are
 * treated like any other method: the services serve neither (HEAD twins are off, see
 * create-http-app.ts), so they get 405 too and `Allow` lists exactly the methods that are served.
 *
 * Hooks the 404 handler's onRequest, so the not-found handler itself stays as it is; like a 404,
 * a 405 needs no token (it tells no more than the public /openapi.json does).
 * Call before the routes are registered: it learns the paths from the onRoute hook.
 */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  const served = new Map<string, PathMethods>();
  app.addHook('onRoute', (route) => {
    const entry = served.get(route.url) ?? { pattern: routePattern(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
    served.set(route.url, entry);
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedMethods(served.values(), path);
    if (allowed.length === 0 || allowed.includes(request.method)) return done();
    reply.header('allow', allowed.join(', '));
    sendProblem(
      request,
      reply,
      'METHOD_NOT_ALLOWED',
      `${request.method} ${path} is not served; use ${allowed.join(' or ')}`,
    );
  });
}

function allowedMethods(routes: Iterable<PathMethods>, path: string): string[] {
  const allowed = new Set<string>();
  for (const { pattern, methods } of routes) {
    if (pattern.test(path)) for (const method of methods) allowed.add(method);
  }
  return [...allowed].sort();
}

/** find-my-way's syntax as we use it: `:name` is one non-empty segment, a trailing `*` anything. */
function routePattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
