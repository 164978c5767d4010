import { loopbackHost } from './ports.ts';

/**
 * haproxy.cfg for the load balancer in front of service replicas (`npm start -- --replicas N`,
 * the bench and the chaos run with --replicas). One frontend per service on the port clients
 * already use; each replica is health-checked on GET /readyz.
 *
 * Readiness chooses who gets traffic, but it includes Kafka, and the services keep moving money
 * through a Kafka outage (events wait in the outbox). So each service has two backends with
 * the same replicas: one checked on /readyz, used while any replica is ready, and one checked on
 * /healthz (the process answers). When no replica is ready, the live ones still get the requests, and each answers what it can (its own
 * 503 problem+json for what it cannot), rather than the balancer refusing everything.
 * Only when no replica answers at all does HAProxy itself answer, with the same problem+json as
 * the services (errorfile below), never an HTML page.
 */
export type BalancedService = {
  /** e.g. "user-service": the frontend's and backend's name. */
  name: string;
  /** Where clients connect (8080 / 8081 by default). */
  port: number;
  replicas: { name: string; port: number }[];
};

/** Health checks every second; two failures take a replica out, one success puts it back. */
const checkIntervalMs = 1_000;

export function serviceBalancerConfig(options: {
  services: BalancedService[];
  /** Files written beside the config: the problem+json answers for 502, 503 and 504. */
  errorFiles: Record<'502' | '503' | '504', string>;
}): string {
  const lines = [
    'global',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    // Longer than any request the services serve (their statement timeout is 10 s).
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 60s',
    // A connection refused (a replica just killed) is retried on another replica: nothing was
    // sent, so even a POST without an Idempotency-Key is safe to send again.
    '  retries 2',
    '  option redispatch 1',
    ...Object.entries(options.errorFiles).map(([status, file]) => `  errorfile ${status} ${file}`),
    '',
  ];
  for (const service of options.services) {
    const live = `${service.name}-live`;
    lines.push(
      `frontend ${service.name}`,
      `  bind ${loopbackHost}:${service.port}`,
      `  use_backend ${service.name} if { nbsrv(${service.name}) gt 0 }`,
      `  default_backend ${live}`,
      '',
      ...backend(service.name, '/readyz', service.replicas),
      ...backend(live, '/healthz', service.replicas),
    );
  }
  return lines.join('\n');
}

function backend(name: string, checkUri: string, replicas: BalancedService['replicas']): string[] {
  return [
    `backend ${name}`,
    '  balance leastconn',
    '  option httpchk',
    `  http-check send meth GET uri ${checkUri}`,
    '  http-check expect status 200',
    `  default-server inter ${checkIntervalMs} fall 2 rise 1`,
    ...replicas.map((replica) => `  server ${replica.name} ${loopbackHost}:${replica.port} check`),
    '',
  ];
}

/**
 * HAProxy's own answers (an errorfile is the whole raw HTTP response), in the services' error
 * format. A 502 or 504 means the replica took the request and its answer was lost: the change may
 * have happened, so these carry OUTCOME_UNKNOWN and no Retry-After (a retry is safe only with the
 * same Idempotency-Key). A 503 means no replica took it at all: nothing happened, retry later.
 */
export function balancerErrorResponses(): Record<'502' | '503' | '504', string> {
  return {
    '502': errorResponse(
      502,
      'Bad Gateway',
      'OUTCOME_UNKNOWN',
      'the replica closed the connection before answering: the request may or may not have been applied',
    ),
    '503': errorResponse(
      503,
      'Service Unavailable',
      'SERVICE_UNAVAILABLE',
      'no replica of this service is answering',
      1,
    ),
    '504': errorResponse(
      504,
      'Gateway Timeout',
      'OUTCOME_UNKNOWN',
      'the replica did not answer in time: the request may or may not have been applied',
    ),
  };
}

function errorResponse(
  status: number,
  title: string,
  code: string,
  detail: string,
  retryAfterSeconds?: number,
): string {
  const body = JSON.stringify({ type: 'about:blank', title, status, code, detail });
  return [
    `HTTP/1.1 ${status} ${title}`,
    'Content-Type: application/problem+json',
    'Cache-Control: no-store',
    'Connection: close',
    ...(retryAfterSeconds === undefined ? [] : [`Retry-After: ${retryAfterSeconds}`]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}
