import { connect, type MsgHdrs, type NatsConnection, headers as natsHeaders, type Subscription } from 'nats';

export type { NatsConnection };

export const NATS_REQUEST_TIMEOUT_MS = 2_000;

export async function connectNats(options: { url: string; name: string }): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(','),
    name: options.name,
    // Keep trying for ever: a NATS restart must not take a service down with it.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    timeout: 5_000,
    // Otherwise every request captures two stack traces in case it fails (~10 µs of a ~35 µs
    // request); requestJson classifies failures itself and nothing reads those traces.
    noAsyncTraces: true,
  });
}

export type NatsReply = { data: unknown; headers: Record<string, string> };

export class NatsRequestError extends Error {
  readonly reason: 'no-responders' | 'timeout' | 'disconnected';
  constructor(reason: 'no-responders' | 'timeout' | 'disconnected', message: string) {
    super(message);
    this.name = 'NatsRequestError';
    this.reason = reason;
  }
}

/** JSON request-reply with a timeout; failures are classified so callers can map them to codes. */
export async function requestJson(
  nc: NatsConnection,
  subject: string,
  payload: unknown,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<unknown> {
  const hdrs = natsHeaders();
  for (const [name, value] of Object.entries(options.headers ?? {})) hdrs.set(name, value);
  try {
    const reply = await nc.request(subject, JSON.stringify(payload), {
      timeout: options.timeoutMs ?? NATS_REQUEST_TIMEOUT_MS,
      headers: hdrs,
    });
    return JSON.parse(reply.string());
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? '');
    if (code === '503') throw new NatsRequestError('no-responders', `no responder for ${subject}`);
    if (code === 'TIMEOUT') throw new NatsRequestError('timeout', `no reply in time on ${subject}`);
    if (nc.isClosed() || code === 'CONNECTION_CLOSED' || code === 'DISCONNECT') {
      throw new NatsRequestError('disconnected', 'NATS connection is down');
    }
    throw error;
  }
}

/** Requests one responder works on at once; past it, requests are answered `busy` at once instead of queueing. */
export const RESPONDER_IN_FLIGHT_MAX_DEFAULT = 256;

/**
 * Serves JSON requests in a queue group; the handler's return value is the reply. At most
 * `inFlightMax` are handled at once: a flood gets `busyReply` straight away (the requester sees a
 * defined refusal, not a timeout) and memory stays bounded.
 */
export function serveJson(
  nc: NatsConnection,
  subject: string,
  queue: string,
  handle: (data: unknown, headers: Record<string, string>) => Promise<unknown>,
  limits: { inFlightMax?: number; busyReply: unknown } = { busyReply: { ok: false, code: 'BUSY' } },
): Subscription {
  const inFlightMax = limits.inFlightMax ?? RESPONDER_IN_FLIGHT_MAX_DEFAULT;
  let inFlight = 0;
  return nc.subscribe(subject, {
    queue,
    callback: (error, msg) => {
      if (error) return;
      if (inFlight >= inFlightMax) {
        msg.respond(JSON.stringify(limits.busyReply));
        return;
      }
      inFlight++;
      void (async () => {
        let reply: unknown;
        try {
          let data: unknown;
          try {
            data = JSON.parse(msg.string());
          } catch {
            data = undefined;
          }
          reply = await handle(data, headersToRecord(msg.headers));
        } catch {
          reply = { ok: false, code: 'INTERNAL_ERROR' };
        } finally {
          inFlight--;
        }
        msg.respond(JSON.stringify(reply));
      })();
    },
  });
}

function headersToRecord(hdrs: MsgHdrs | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!hdrs) return result;
  for (const key of hdrs.keys()) result[key] = hdrs.get(key);
  return result;
}
