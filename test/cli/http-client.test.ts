import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../cli/src/services/http/http-client.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A throwaway HTTP server on a free loopback port that answers with the scripted handlers in turn. */
async function scriptedServer(
  handlers: Handler[],
): Promise<{ url: string; seen: IncomingMessage[]; server: Server }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    seen.push(request);
    const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)]!;
    request.resume();
    request.on('end', () => handler(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const problem =
  (status: number, code: string): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/problem+json' });
    response.end(
      JSON.stringify({
        type: 'about:blank',
        title: code,
        status,
        code,
        detail: `${code} detail`,
        request_id: 'r-1',
      }),
    );
  };

const ok: Handler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'idempotency-replayed': 'true' });
  response.end(JSON.stringify({ done: true }));
};

describe('the CLI’s HTTP client', () => {
  let server: Server | undefined;
  const client = createHttpClient({ userAgent: 'test', token: 'secret-token-123', sleep: async () => {} });

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('Given two 503s then success, When a money command is sent, Then it retries with the SAME Idempotency-Key', async () => {
    // Given
    const scripted = await scriptedServer([
      problem(503, 'SERVICE_UNAVAILABLE'),
      problem(503, 'SERVICE_UNAVAILABLE'),
      ok,
    ]);
    server = scripted.server;
    // When
    const response = await client.send(
      {
        service: 'transactions-service',
        baseUrl: scripted.url,
        method: 'POST',
        path: 'addMoney',
        body: { a: 1 },
        idempotencyKey: 'key-1',
      },
      z.object({ done: z.boolean() }),
    );
    // Then
    expect(response.body).toEqual({ done: true });
    expect(response.replayed).toBe(true);
    expect(scripted.seen.map((request) => request.headers['idempotency-key'])).toEqual([
      'key-1',
      'key-1',
      'key-1',
    ]);
    expect(scripted.seen[0]!.headers.authorization).toBe('Bearer secret-token-123');
  });

  it('Given a 503 that never ends, When sent, Then it gives up after the bounded attempts with the server’s code', async () => {
    const scripted = await scriptedServer([problem(503, 'DATABASE_UNAVAILABLE')]);
    server = scripted.server;
    const sending = client.send(
      { service: 'user-service', baseUrl: scripted.url, method: 'GET', path: 'users' },
      z.unknown(),
    );
    await expect(sending).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      exitCode: 6,
      requestId: 'r-1',
    });
    expect(scripted.seen).toHaveLength(4);
  });

  it('Given OUTCOME_UNKNOWN that never ends, When a command with a key gives up, Then the hint names the key to retry with', async () => {
    const scripted = await scriptedServer([problem(503, 'OUTCOME_UNKNOWN')]);
    server = scripted.server;
    const sending = client.send(
      {
        service: 'transactions-service',
        baseUrl: scripted.url,
        method: 'POST',
        path: 'addMoney',
        body: {},
        idempotencyKey: 'key-3',
      },
      z.unknown(),
    );
    await expect(sending).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', exitCode: 6, requestId: 'r-1' });
    await expect(sending).rejects.toHaveProperty('hint', expect.stringContaining('--idempotency-key key-3'));
    expect(scripted.seen.map((request) => request.headers['idempotency-key'])).toEqual([
      'key-3',
      'key-3',
      'key-3',
      'key-3',
    ]);
  });

  it('Given a 422, When sent, Then no retry and the problem’s code and detail come through', async () => {
    const scripted = await scriptedServer([problem(422, 'INSUFFICIENT_FUNDS')]);
    server = scripted.server;
    const sending = client.send(
      {
        service: 'transactions-service',
        baseUrl: scripted.url,
        method: 'POST',
        path: 'transferMoney',
        body: {},
        idempotencyKey: 'key-2',
      },
      z.unknown(),
    );
    await expect(sending).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      exitCode: 4,
      message: 'INSUFFICIENT_FUNDS detail',
    });
    expect(scripted.seen).toHaveLength(1);
  });

  it('Given a proxy’s HTML 502, When sent, Then a readable error with the status', async () => {
    const scripted = await scriptedServer([
      (_request, response) => {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html>bad gateway</html>');
      },
    ]);
    server = scripted.server;
    const sending = client.send(
      { service: 'user-service', baseUrl: scripted.url, method: 'GET', path: 'users' },
      z.unknown(),
    );
    await expect(sending).rejects.toMatchObject({
      code: 'HTTP_502',
      message: expect.stringContaining('HTTP 502'),
    });
  });

  it('Given a body of the wrong shape, When sent, Then BAD_RESPONSE rather than a crash later', async () => {
    const scripted = await scriptedServer([ok]);
    server = scripted.server;
    const sending = client.send(
      { service: 'user-service', baseUrl: scripted.url, method: 'GET', path: 'users' },
      z.object({ users: z.array(z.unknown()) }),
    );
    await expect(sending).rejects.toMatchObject({ code: 'BAD_RESPONSE', exitCode: 1 });
  });
});
