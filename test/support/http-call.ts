import { request } from 'undici';
import { TEST_AUTH_HEADERS } from './auth.ts';

const HTTP_TIMEOUT_MS = 15_000;

export type HttpResult = {
  status: number;
  headers: Record<string, string>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely; the assertions check them.
  json: any;
};

/**
 * A real HTTP call (undici allows a JSON body on GET, as the original getBalance clients send).
 * `json` is sent as application/json unless `headers` name another content type; `body` is sent
 * byte for byte. It carries the test operator token unless `headers` has its own Authorization.
 */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...TEST_AUTH_HEADERS, ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await request(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    headersTimeout: HTTP_TIMEOUT_MS,
    bodyTimeout: HTTP_TIMEOUT_MS,
  });
  const text = await response.body.text();
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status: response.statusCode, headers: flat, text, json: parseJson(text) };
}

/** The parsed body, or undefined when it is not JSON (the assertions then look at `text`). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
