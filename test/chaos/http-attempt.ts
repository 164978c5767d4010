import { request } from 'undici';
import type { Attempt } from './history.ts';

export type HttpCall = {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs: number;
  replica?: string;
};

/** One attempt and what came back: the parsed JSON body when there was one. */
export type AttemptReply = { attempt: Attempt; body?: unknown; headers?: Record<string, unknown> };

/**
 * Sends one HTTP request and never throws: a network error or a timeout becomes an attempt with
 * no status (outcome unknown), which is exactly what the history must record for it.
 */
export async function sendAttempt(call: HttpCall): Promise<AttemptReply> {
  const startedAtMs = Date.now();
  const headers: Record<string, string> = { ...call.headers };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await request(call.url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    const text = await response.body.text();
    const body = parseJson(text);
    const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
    return {
      attempt: {
        startedAtMs,
        endedAtMs: Date.now(),
        status: response.statusCode,
        code: typeof code === 'string' ? code : undefined,
        replica: call.replica,
      },
      body,
      headers: response.headers,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const label = typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error';
    const message = `${label}: ${error instanceof Error ? error.message : String(error)}`;
    return { attempt: { startedAtMs, endedAtMs: Date.now(), error: message, replica: call.replica } };
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A money amount from a JSON number, exactly: the services send cents below 2^53, whose shortest
 * decimal text is the exact amount ("12.3" → 1230n). Undefined when it is not such a number.
 */
export function jsonNumberToMinor(value: unknown): bigint | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return undefined;
  const minor = BigInt(match[2]!) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -minor : minor;
}
