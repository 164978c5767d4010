import { request } from 'undici';
import { EXIT_CODES } from '../../exit-codes.ts';
import { describeNetworkError } from '../http/network-errors.ts';
import type { ServiceName } from '../http/service-name.ts';
import { type DoctorCheck, fail, ok, skip, warn } from './doctor-check.ts';

/** Each probe's whole budget (connect, headers, body): a newcomer waits seconds, not minutes. */
export const PROBE_TIMEOUT_MS = 3_000;
/** Beyond this the machine's clock and a service's disagree enough to mislead (hold expiry, statements, event order). */
export const CLOCK_SKEW_MS_MAX = 5_000;
/** The HTTP Date header has whole seconds: a smaller difference is rounding. */
const DATE_HEADER_RESOLUTION_MS = 1_000;

export type ServiceTarget = { name: ServiceName; url: string; probePath: string };

type Probe = { status: number; body: string; dateHeader?: string; sentAtMs: number; answeredAtMs: number };

/** A GET with the bearer token, or the network error that stopped it. */
async function probe(url: string, path: string, token?: string): Promise<Probe | { error: unknown }> {
  const sentAtMs = Date.now();
  try {
    const response = await request(new URL(path, url.endsWith('/') ? url : `${url}/`), {
      method: 'GET',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = await response.body.text();
    const date = response.headers.date;
    return {
      status: response.statusCode,
      body,
      dateHeader: typeof date === 'string' ? date : undefined,
      sentAtMs,
      answeredAtMs: Date.now(),
    };
  } catch (error) {
    return { error };
  }
}

export type ServiceFindings = { readiness: DoctorCheck; token: DoctorCheck; clockSkewMs?: number };

/** Reachable and ready (GET /readyz), then whether the token is accepted on a read that needs one. */
export async function checkService(target: ServiceTarget, token?: string): Promise<ServiceFindings> {
  const ready = await probe(target.url, 'readyz');
  if ('error' in ready) {
    const readiness = fail(
      target.name,
      `${target.url} ${describeNetworkError(ready.error)}`,
      `start the services with \`npm start\` (it writes their addresses to .wallet/services.json), or point --${target.name}-url / ${envName(target.name)} at them`,
      EXIT_CODES.unavailable,
    );
    return { readiness, token: skip(`token@${target.name}`, `${target.name} not reachable`) };
  }
  const readiness =
    ready.status === 200
      ? ok(target.name, `ready at ${target.url}`)
      : fail(
          target.name,
          `up at ${target.url} but not ready (${ready.status}): ${notReadyReason(ready.body)}`,
          'the failing parts are named above: `npx wallet stack status` shows the stack; the service logs are in .wallet/logs',
          EXIT_CODES.unavailable,
        );
  return { readiness, token: await checkToken(target, token), clockSkewMs: clockSkewMs(ready) };
}

async function checkToken(target: ServiceTarget, token?: string): Promise<DoctorCheck> {
  const name = `token@${target.name}`;
  const answer = await probe(target.url, target.probePath, token);
  if ('error' in answer) {
    return fail(
      name,
      `${target.url} ${describeNetworkError(answer.error)}`,
      'retry in a moment',
      EXIT_CODES.unavailable,
    );
  }
  if (answer.status === 200) {
    return ok(name, token ? 'token accepted' : 'no token needed: authentication is off on this service');
  }
  if (answer.status === 401) {
    return token
      ? fail(
          name,
          `${target.name} rejected the token (401)`,
          'use the token the services were started with: unset WALLET_TOKEN and drop --token to use the stack’s operator token (.wallet/operator-token), or set WALLET_TOKEN to a valid one',
          EXIT_CODES.unauthorized,
        )
      : fail(
          name,
          'no token: none given and no stack state to take the operator token from',
          'pass --token <token> or set WALLET_TOKEN; `npm start` writes the operator token to .wallet/operator-token',
          EXIT_CODES.unauthorized,
        );
  }
  if (answer.status === 403) {
    return warn(
      name,
      'token accepted, but it may not read everything (a reader or user token)',
      'use the operator token (.wallet/operator-token) for operator commands',
    );
  }
  return fail(
    name,
    `unexpected answer ${answer.status} to GET /${target.probePath}`,
    'is the URL that of a wallet service?',
    EXIT_CODES.unexpected,
  );
}

/** How far a service's clock is from ours, from its Date header, allowing for the round trip. */
function clockSkewMs(answer: Probe): number | undefined {
  if (!answer.dateHeader) return undefined;
  const serviceMs = Date.parse(answer.dateHeader);
  if (Number.isNaN(serviceMs)) return undefined;
  const midpointMs = (answer.sentAtMs + answer.answeredAtMs) / 2;
  const skewMs = serviceMs - midpointMs;
  const slackMs = DATE_HEADER_RESOLUTION_MS + (answer.answeredAtMs - answer.sentAtMs) / 2;
  return Math.abs(skewMs) <= slackMs ? 0 : skewMs;
}

/** One check over the skews the service probes measured. */
export function checkClock(skewsMs: readonly (number | undefined)[]): DoctorCheck {
  const measured = skewsMs.filter((skew): skew is number => skew !== undefined);
  if (measured.length === 0) return skip('clock', 'no service answered with a Date header');
  const worstMs = Math.max(...measured.map(Math.abs));
  if (worstMs > CLOCK_SKEW_MS_MAX) {
    return warn(
      'clock',
      `this machine's clock and a service's differ by ${(worstMs / 1_000).toFixed(1)} s`,
      'sync the clocks (systemd-timesyncd, chrony): hold expiry, statements and event times read them',
    );
  }
  return ok('clock', `within ${CLOCK_SKEW_MS_MAX / 1_000} s of the services' clocks`);
}

function notReadyReason(body: string): string {
  try {
    const problem = JSON.parse(body) as { detail?: unknown; failing?: unknown };
    if (Array.isArray(problem.failing) && problem.failing.length > 0)
      return `failing ${problem.failing.join(', ')}`;
    if (typeof problem.detail === 'string') return problem.detail;
  } catch {
    // not problem+json: say so below
  }
  return body.slice(0, 120) || 'no reason given';
}

function envName(service: ServiceName): string {
  return service === 'user-service' ? 'USER_SERVICE_URL' : 'TRANSACTIONS_SERVICE_URL';
}
