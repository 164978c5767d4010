import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BothServices,
  call,
  parseJson,
  startBothServices,
  TEST_AUTH_HEADERS,
} from '../support/index.ts';

/** Methods a client may try on any path: the usual ones, HEAD and OPTIONS, and ones no route serves. */
const METHODS_TRIED = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'QUERY'];
const HTTP_TIMEOUT_MS = 15_000;

type Answer = { status: number; headers: Record<string, string>; json: Record<string, unknown> | undefined };

async function send(baseUrl: string, method: string, path: string, token = true): Promise<Answer> {
  const response = await request(`${baseUrl}${path}`, {
    method,
    headers: token ? TEST_AUTH_HEADERS : {},
    headersTimeout: HTTP_TIMEOUT_MS,
    bodyTimeout: HTTP_TIMEOUT_MS,
  });
  const text = await response.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers))
    if (typeof value === 'string') headers[name] = value;
  return { status: response.statusCode, headers, json: parseJson(text) as Answer['json'] };
}

/** A concrete path for a documented template: every `{param}` a fresh UUID. */
function concretePath(template: string): string {
  return template.replace(/\{\w+\}/g, () => randomUUID());
}

describe('405 Method Not Allowed on known paths, both services', () => {
  let services: BothServices;

  beforeAll(async () => {
    services = await startBothServices('contract_405');
  });

  afterAll(async () => {
    await services?.stop();
  });

  const both = () =>
    [
      ['user-service', services.users.url],
      ['transactions-service', services.transactions.url],
    ] as const;

  it('given every documented path, when it is called with a method it does not serve, then the answer is 405 problem+json METHOD_NOT_ALLOWED whose Allow lists exactly the documented methods', async () => {
    let refusals = 0;
    for (const [name, url] of both()) {
      // Given
      const document = (await call(url, 'GET', '/openapi.json')).json as {
        paths: Record<string, Record<string, unknown>>;
      };
      for (const [template, operations] of Object.entries(document.paths)) {
        const allowed = Object.keys(operations)
          .map((method) => method.toUpperCase())
          .sort();
        const path = concretePath(template);
        for (const method of METHODS_TRIED.filter((tried) => !allowed.includes(tried))) {
          // When
          const answer = await send(url, method, path);

          // Then
          const where = `${name} ${method} ${template}`;
          expect(answer.status, where).toBe(405);
          expect(answer.headers.allow, where).toBe(allowed.join(', '));
          expect(answer.headers['content-type'], where).toContain('application/problem+json');
          if (method !== 'HEAD') {
            expect(answer.json?.code, where).toBe('METHOD_NOT_ALLOWED');
            expect(answer.json?.status, where).toBe(405);
            expect(answer.json?.instance, where).toBe(path);
          }
          refusals++;
        }
      }
    }
    expect(refusals).toBeGreaterThan(100);
  });

  it('given the issue 15 examples, when sent without a token, then they are 405 as with one (like a 404, a 405 tells nothing the public document does not)', async () => {
    // When
    const trace = await send(services.users.url, 'TRACE', '/healthz', false);
    const query = await send(services.users.url, 'QUERY', `/users/${randomUUID()}`, false);
    const remove = await send(services.transactions.url, 'DELETE', '/addMoney', false);

    // Then
    expect([trace.status, trace.headers.allow]).toEqual([405, 'GET']);
    expect([query.status, query.headers.allow]).toEqual([405, 'GET']);
    expect([remove.status, remove.headers.allow]).toEqual([405, 'POST']);
  });

  it('given a path no route serves, when called with any method, then it stays 404 NOT_FOUND without Allow', async () => {
    for (const [name, url] of both()) {
      for (const method of ['GET', 'POST', 'DELETE', 'OPTIONS']) {
        // When
        const answer = await send(url, method, '/no-such-route');
        const trailingSlash = await send(url, method, '/healthz/');

        // Then
        for (const [where, got] of [
          [`${name} ${method} /no-such-route`, answer],
          [`${name} ${method} /healthz/`, trailingSlash],
        ] as const) {
          expect(got.status, where).toBe(404);
          expect(got.headers.allow, where).toBeUndefined();
          expect(got.json?.code, where).toBe('NOT_FOUND');
        }
      }
    }
  });
});
