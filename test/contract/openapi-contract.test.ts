import { Validator } from '@seriousme/openapi-schema-validator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BothServices, call, startBothServices, waitForWallet } from '../support/index.ts';
import {
  type GeneratedRequest,
  invalidRequest,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  requestUrl,
  validRequest,
} from './openapi-requests.ts';
import { responseMismatch } from './response-check.ts';
import { beyondJsonSchema, isIgnoredInput } from './rules-beyond-json-schema.ts';

/**
 * Issue 15: each service's /openapi.json is the exact contract. Requests are generated from the
 * document alone (valid and invalid, json-schema-arbitraries.ts), sent to the real services with
 * the operator token, and every answer is held to the document. Bounded and seeded: about
 * RUNS_PER_OPERATION × 2 requests per operation, the same ones on every run.
 */
const RUNS_PER_OPERATION = 30;
const SEED = 15;
const SEEDED_USERS = 3;
const CURSOR_RUNS_PER_LISTING = 10;
const DAY_MS = 86_400_000;
/** Parameters only the service can fill validly (a listing's cursor): left out of valid requests, broken in invalid ones. */
const OPAQUE_PARAMETERS: ReadonlySet<string> = new Set(['cursor']);

type Finding = { operation: string; request: string; answer: string; problem: string };

describe('the OpenAPI documents are the exact contract of both services', () => {
  let services: BothServices;
  const hints: { uuid: string[]; email: string[]; dateTime: string[] } = {
    uuid: [],
    email: [],
    dateTime: [],
  };

  beforeAll(async () => {
    services = await startBothServices('contract_openapi');
    const nowMs = Date.now();
    hints.dateTime.push(
      ...[-30, -1, 0, 1].map((days) => new Date(nowMs + days * DAY_MS).toISOString()),
      '2026-01-01T00:00:00+01:00',
    );
    // Known users with money, so valid requests reach the handlers and not only 404s.
    for (let index = 0; index < SEEDED_USERS; index++) {
      const email = `contract-${index}@example.com`;
      const created = await call(services.users.url, 'POST', '/createUser', { json: { email } });
      expect(created.status, created.text).toBe(201);
      hints.uuid.push(created.json.user_id as string);
      hints.email.push(email);
    }
    for (const [index, email] of hints.email.entries()) {
      await waitForWallet(services.users.url, email);
      const userId = hints.uuid[index];
      await call(services.transactions.url, 'POST', '/addMoney', {
        json: { user_id: userId, amount: '500.00' },
      });
    }
  }, 120_000);

  afterAll(async () => {
    await services?.stop();
  });

  const both = () =>
    [
      ['user-service', services.users.url],
      ['transactions-service', services.transactions.url],
    ] as const;

  async function fetchDocument(url: string): Promise<OpenApiDocument> {
    const response = await call(url, 'GET', '/openapi.json', { headers: { authorization: '' } });
    expect(response.status).toBe(200);
    return response.json as OpenApiDocument;
  }

  it('given each running service, when its /openapi.json is validated against the OpenAPI 3.1 meta-schema, then it is valid', async () => {
    for (const [name, url] of both()) {
      const result = await new Validator().validate((await fetchDocument(url)) as never);
      expect(result.errors, name).toBeUndefined();
      expect(result.valid, name).toBe(true);
    }
  });

  it('given every documented operation, when requests generated from its document are sent, then valid ones are never refused with 400, invalid ones always are, and every answer has a documented status and matches its schema', async () => {
    const findings: Finding[] = [];
    let sent = 0;
    for (const [name, url] of both()) {
      const operations = operationsOf(await fetchDocument(url));
      expect(operations.length, name).toBeGreaterThan(4);
      for (const operation of operations) {
        const where = `${name} ${operation.method.toUpperCase()} ${operation.path}`;
        const seed = SEED + where.length;
        for (const request of fc.sample(validRequest(operation, hints, OPAQUE_PARAMETERS), {
          numRuns: RUNS_PER_OPERATION,
          seed,
        })) {
          findings.push(...(await exchange(url, where, operation, request, 'valid')));
          sent++;
        }
        const invalid = invalidRequest(operation, hints, OPAQUE_PARAMETERS);
        for (const request of invalid ? fc.sample(invalid, { numRuns: RUNS_PER_OPERATION, seed }) : []) {
          findings.push(...(await exchange(url, where, operation, request, 'invalid')));
          sent++;
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(summarise(findings)).toEqual([]);
  }, 120_000);

  it('given a listing that answers with a next_cursor, when that cursor is sent back with the same request, then it is accepted and the page matches the document', async () => {
    const findings: Finding[] = [];
    let cursorsFollowed = 0;
    for (const [name, url] of both()) {
      const listings = operationsOf(await fetchDocument(url)).filter((operation) =>
        operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'cursor'),
      );
      for (const operation of listings) {
        const where = `${name} ${operation.method.toUpperCase()} ${operation.path}`;
        const requests = fc.sample(validRequest(operation, hints, OPAQUE_PARAMETERS), {
          numRuns: CURSOR_RUNS_PER_LISTING,
          seed: SEED,
        });
        for (const request of requests) {
          // Given: a first page of one, so that most listings have a next page
          const first = { ...request, query: { ...request.query, limit: '1' } };
          const page = await call(url, 'GET', requestUrl(first), { headers: first.headers });
          const cursor = page.json?.next_cursor;
          if (page.status !== 200 || typeof cursor !== 'string') continue;

          // When
          const next = { ...first, query: { ...first.query, cursor } };
          findings.push(...(await exchange(url, where, operation, next, 'valid')));
          cursorsFollowed++;
        }
      }
    }

    // Then
    expect(summarise(findings)).toEqual([]);
    expect(cursorsFollowed).toBeGreaterThan(5);
  });
});

async function exchange(
  baseUrl: string,
  where: string,
  operation: Operation,
  request: GeneratedRequest,
  kind: 'valid' | 'invalid',
): Promise<Finding[]> {
  const response = await call(baseUrl, operation.method === 'get' ? 'GET' : 'POST', requestUrl(request), {
    headers: request.headers,
    ...(request.body === undefined ? {} : { json: request.body }),
  });
  const shown = {
    operation: where,
    request: `${requestUrl(request)} ${JSON.stringify(request.headers)} ${JSON.stringify(request.body)?.slice(0, 200) ?? ''}${request.broken ? ` [broken: ${request.broken}]` : ''}`,
    answer: `${response.status} ${response.text.slice(0, 300)}`,
  };
  const found: Finding[] = [];
  const code = response.json?.code as string | undefined;
  if (kind === 'valid' && response.status === 400 && !beyondJsonSchema(operation, request, code)) {
    found.push({ ...shown, problem: 'valid request refused with 400' });
  }
  if (
    kind === 'invalid' &&
    response.status !== 400 &&
    !(response.status < 300 && isIgnoredInput(operation, request))
  ) {
    found.push({ ...shown, problem: `invalid request answered ${response.status}, not 400` });
  }
  const mismatch = responseMismatch(operation, response);
  if (mismatch) found.push({ ...shown, problem: mismatch });
  return found;
}

/** One line per distinct problem of an operation (with its first example), so a report stays readable. */
function summarise(findings: Finding[]): string[] {
  const first = new Map<string, { finding: Finding; count: number }>();
  for (const finding of findings) {
    const key = `${finding.operation}: ${finding.problem.replace(/\d{3}/, 'NNN')}`;
    const seen = first.get(key);
    if (seen) seen.count++;
    else first.set(key, { finding, count: 1 });
  }
  return [...first.values()].map(
    ({ finding, count }) =>
      `${finding.operation}: ${finding.problem} (×${count}), e.g. ${finding.request} → ${finding.answer}`,
  );
}
