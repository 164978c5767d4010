import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** What the proxy saw of one request: enough to check which key each attempt carried. */
export type SeenRequest = { method: string; path: string; idempotencyKey: string | undefined };

/**
 * An HTTP proxy in front of one real service that records every request and can lose an answer:
 * `loseNextAnswer(path)` lets the next request to that path reach the service (which does the
 * work) and then drops the connection before the answer gets back, as a network failure would.
 * The client cannot tell whether the work was done, and retries.
 */
export type RecordingProxy = {
  url: string;
  seen: SeenRequest[];
  loseNextAnswer(path: string): void;
  close(): Promise<void>;
};

/** Hop-by-hop headers, and what undici computes itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

export async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const seen: SeenRequest[] = [];
  const losing = new Set<string>();
  const server: Server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const path = (incoming.url ?? '/').split('?')[0] ?? '/';
    const key = incoming.headers['idempotency-key'];
    seen.push({
      method: incoming.method ?? '',
      path,
      idempotencyKey: typeof key === 'string' ? key : undefined,
    });
    const answer = await request(new URL(incoming.url ?? '/', targetUrl), {
      method: incoming.method as 'GET' | 'POST',
      headers: forwardable(incoming.headers),
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await answer.body.arrayBuffer());
    if (losing.delete(path)) {
      incoming.socket.destroy();
      return;
    }
    outgoing.writeHead(answer.statusCode, forwardable(answer.headers as IncomingHttpHeaders));
    outgoing.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    loseNextAnswer: (path) => {
      losing.add(path);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
