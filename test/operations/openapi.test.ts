import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApp, registeredRoutes } from '../../services/shared/src/http/create-http-app.ts';
import { type BothServices, call, type HttpResult, startBothServices } from '../support/index.ts';
import { type JsonSchema, schemaViolations } from './json-schema-check.ts';

type Operation = {
  security?: Array<Record<string, string[]>>;
  tags?: string[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
};
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
};

/** What every problem+json document carries (shared/src/http/problem.ts). */
const PROBLEM_MEMBERS = ['type', 'title', 'status', 'code'];

/** Operations that need no token; everything else must say it takes the bearer scheme. */
const PUBLIC_OPERATIONS = new Set(['get /healthz', 'get /readyz']);
const PATH_PARAMETER = /:(\w+)/g;

describe('OpenAPI 3.1 documents of both services', () => {
  let services: BothServices;

  beforeAll(async () => {
    services = await startBothServices('ops_openapi');
  });

  afterAll(async () => {
    await services?.stop();
  });

  const both = () =>
    [
      ['user-service', services.users],
      ['transactions-service', services.transactions],
    ] as const;

  async function fetchDocument(url: string): Promise<OpenApiDocument> {
    const response = await call(url, 'GET', '/openapi.json', { headers: { authorization: '' } });
    expect(response.status).toBe(200);
    return response.json as OpenApiDocument;
  }

  it('Given each running service, When its /openapi.json is validated against the OpenAPI 3.1 schema, Then it is valid', async () => {
    for (const [name, service] of both()) {
      // Given
      const document = await fetchDocument(service.url);

      // When
      const validator = new Validator();
      const result = await validator.validate(document as unknown as Record<string, unknown>);

      // Then
      expect(document.openapi, name).toMatch(/^3\.1\./);
      expect(result.errors, name).toBeUndefined();
      expect(result.valid, name).toBe(true);
      expect(document.components?.securitySchemes?.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    }
  });

  it('Given the routes each app registered, When compared with its document, Then every route that is not hidden is documented, and nothing else', async () => {
    for (const [name, service] of both()) {
      // Given
      const routes = visibleRoutes(service.app);
      const document = await fetchDocument(service.url);

      // When
      const documented = Object.entries(document.paths).flatMap(([url, methods]) =>
        Object.keys(methods).map((method) => `${method} ${url}`),
      );

      // Then
      expect(routes.length, name).toBeGreaterThan(4);
      expect(documented.sort(), name).toEqual(routes.sort());
    }
  });

  it('Given each documented operation, When read, Then it has a success response schema, its inputs, and the bearer scheme unless public', async () => {
    for (const [name, service] of both()) {
      const document = await fetchDocument(service.url);
      for (const [url, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          const where = `${name} ${method} ${url}`;
          const success = Object.entries(operation.responses ?? {}).find(([status]) =>
            status.startsWith('2'),
          );
          expect(success?.[1].content?.['application/json']?.schema, `${where} success schema`).toBeDefined();
          if (method === 'post') {
            expect(
              operation.requestBody?.content?.['application/json']?.schema,
              `${where} body`,
            ).toBeDefined();
          }
          for (const parameter of url.matchAll(/\{(\w+)\}/g)) {
            const declared = operation.parameters?.find((p) => p.in === 'path' && p.name === parameter[1]);
            expect(declared?.schema, `${where} path parameter ${parameter[1]}`).toBeDefined();
          }
          const isPublic = PUBLIC_OPERATIONS.has(`${method} ${url}`);
          expect(operation.security, where).toEqual(isPublic ? undefined : [{ bearer: [] }]);
          if (!isPublic)
            expect(operation.responses?.['4XX'] ?? operation.responses?.['401'], where).toBeDefined();
        }
      }
    }
  });

  it('Given each documented error response, When read, Then it is application/problem+json with the problem schema, never application/json', async () => {
    let errorResponses = 0;
    for (const [name, service] of both()) {
      const document = await fetchDocument(service.url);
      for (const [url, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          for (const [status, response] of Object.entries(operation.responses ?? {})) {
            if (!/^[45]/.test(status)) continue;
            // Then
            const where = `${name} ${method} ${url} ${status}`;
            errorResponses++;
            expect(Object.keys(response.content ?? {}), where).toEqual(['application/problem+json']);
            const schema = response.content?.['application/problem+json']?.schema as {
              properties?: Record<string, unknown>;
              required?: string[];
            };
            expect(Object.keys(schema?.properties ?? {}), where).toEqual(
              expect.arrayContaining(PROBLEM_MEMBERS),
            );
            expect(schema?.required, where).toEqual(expect.arrayContaining(PROBLEM_MEMBERS));
          }
        }
      }
    }
    expect(errorResponses).toBeGreaterThan(10);
  });

  it('Given getBalance, whose JSON body may be left out (?email= instead), When its document is read, Then the body is optional', async () => {
    // When
    const document = await fetchDocument(services.users.url);
    const getBalance = document.paths['/getBalance']?.get;

    // Then
    expect(getBalance?.requestBody?.content?.['application/json']?.schema).toBeDefined();
    expect(getBalance?.requestBody?.required).not.toBe(true);
    // Bodies that must be there still say so.
    expect(document.paths['/createUser']?.post?.requestBody?.required).toBe(true);
  });

  it('Given the money operations of issue 9, When the transactions-service document is read, Then each has its tag, inputs, Idempotency-Key header, required members and problem+json errors', async () => {
    // Given
    const document = await fetchDocument(services.transactions.url);

    for (const expected of MONEY_OPERATIONS) {
      // When
      const where = `${expected.method} ${expected.url}`;
      const operation = document.paths[expected.url]?.[expected.method];

      // Then
      expect(operation, where).toBeDefined();
      expect(operation?.tags, where).toContain(expected.tag);
      expect(operation?.security, where).toEqual([{ bearer: [] }]);
      const parameters = operation?.parameters ?? [];
      for (const name of expected.pathParameters ?? []) {
        const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
        expect(parameter?.required, `${where} path ${name}`).toBe(true);
        expect(parameter?.schema?.pattern, `${where} path ${name} is a UUID`).toBeDefined();
      }
      for (const { name, required } of expected.query ?? []) {
        const parameter = parameters.find((p) => p.in === 'query' && p.name === name);
        expect(parameter?.schema, `${where} query ${name}`).toBeDefined();
        expect(parameter?.required ?? false, `${where} query ${name} required`).toBe(required);
      }
      if (expected.body) {
        expect(
          parameters.find((p) => p.in === 'header' && p.name === 'idempotency-key'),
          `${where} Idempotency-Key`,
        ).toBeDefined();
        expect(operation?.requestBody?.required ?? false, `${where} body required`).toBe(
          expected.body.bodyRequired,
        );
        const body = objectBranch(operation?.requestBody?.content?.['application/json']?.schema);
        expect(Object.keys(body?.properties ?? {}).sort(), `${where} body members`).toEqual(
          [...expected.body.properties].sort(),
        );
        expect([...(body?.required ?? [])].sort(), `${where} body required members`).toEqual(
          [...expected.body.required].sort(),
        );
      }
      const success = operation?.responses?.[expected.successStatus]?.content?.['application/json']?.schema;
      expect(success?.required, `${where} ${expected.successStatus} members`).toEqual(
        expect.arrayContaining(expected.answers),
      );
      expect(Object.keys(success?.properties ?? {}), where).toEqual(expect.arrayContaining(expected.answers));
      expect(
        operation?.responses?.['4XX']?.content?.['application/problem+json'],
        `${where} 4XX`,
      ).toBeDefined();
    }
  });

  it('Given wallets with money, When every money operation of issue 9 answers (and refuses), Then each answer matches the schema its document gives for that status', async () => {
    // Given: three wallets opened directly in the database, two of them funded
    const pool = new pg.Pool({ connectionString: services.transactionsDatabaseUrl, max: 1 });
    const [ada, bob, empty] = [randomUUID(), randomUUID(), randomUUID()];
    const document = await fetchDocument(services.transactions.url);
    const answers: { operation: string; response: HttpResult }[] = [];
    const send = async (method: 'get' | 'post', url: string, template: string, json?: unknown) => {
      const response = await call(services.transactions.url, method === 'get' ? 'GET' : 'POST', url, {
        json,
      });
      answers.push({ operation: `${method} ${template}`, response });
      return response;
    };
    try {
      await pool.query('INSERT INTO users (user_id) VALUES ($1::uuid), ($2::uuid), ($3::uuid)', [
        ada,
        bob,
        empty,
      ]);
      for (const userId of [ada, bob])
        await send('post', '/addMoney', '/addMoney', { user_id: userId, amount: '50.00' });
      const deposit = await send('post', '/addMoney', '/addMoney', { user_id: ada, amount: '5.00' });

      // When: each operation once, and a refusal of each
      await send('post', '/withdrawMoney', '/withdrawMoney', { user_id: ada, amount: '1.25' });
      await send('post', '/withdrawMoney', '/withdrawMoney', { user_id: ada, amount: '9999.00' });
      const captured = await send('post', '/holds', '/holds', {
        from_user_id: ada,
        to_user_id: bob,
        amount: '3.00',
      });
      const voided = await send('post', '/holds', '/holds', {
        from_user_id: ada,
        to_user_id: bob,
        amount: 2,
      });
      await send('post', '/holds', '/holds', { from_user_id: ada, to_user_id: ada, amount: 2 });
      await send('post', '/holds', '/holds', {
        from_user_id: ada,
        to_user_id: bob,
        amount: 2,
        expires_in_seconds: 0,
      });
      const capturedId = captured.json.hold_id as string;
      const voidedId = voided.json.hold_id as string;
      await send('get', `/holds/${capturedId}`, '/holds/{hold_id}');
      await send('get', `/holds/${randomUUID()}`, '/holds/{hold_id}');
      await send('get', `/holds?user_id=${ada}&limit=1`, '/holds');
      await send('get', `/holds?user_id=${bob}&status=pending`, '/holds');
      await send('get', `/holds?user_id=${bob}&status=open`, '/holds');
      await send('post', `/holds/${capturedId}/capture`, '/holds/{hold_id}/capture', { amount: '4.00' });
      const capture = await send('post', `/holds/${capturedId}/capture`, '/holds/{hold_id}/capture', {
        amount: '2.50',
      });
      await send('post', `/holds/${voidedId}/void`, '/holds/{hold_id}/void');
      await send('post', `/holds/${voidedId}/capture`, '/holds/{hold_id}/capture');
      await send('get', `/holds/${voidedId}`, '/holds/{hold_id}');
      const transferId = capture.json.transfer_id as string;
      await send('post', `/transfers/${transferId}/reverse`, '/transfers/{transfer_id}/reverse', {
        amount: '1.00',
      });
      await send('post', `/transfers/${transferId}/reverse`, '/transfers/{transfer_id}/reverse', {
        amount: '9.00',
      });
      await send('post', `/transfers/${randomUUID()}/reverse`, '/transfers/{transfer_id}/reverse');
      const depositId = deposit.json.transaction_id as string;
      await send('post', `/deposits/${depositId}/reverse`, '/deposits/{transaction_id}/reverse', {
        reason: 'charge-back',
      });
      await send('post', `/deposits/${depositId}/reverse`, '/deposits/{transaction_id}/reverse', {
        amount: '0.01',
      });
      await send('post', `/wallets/${bob}/freeze`, '/wallets/{user_id}/freeze', { reason: 'review' });
      await send('post', `/wallets/${bob}/freeze`, '/wallets/{user_id}/freeze', {});
      await send('post', `/wallets/${bob}/unfreeze`, '/wallets/{user_id}/unfreeze');
      await send('post', `/wallets/${ada}/close`, '/wallets/{user_id}/close');
      await send('post', `/wallets/${empty}/close`, '/wallets/{user_id}/close', { reason: 'asked to' });
    } finally {
      await pool.end();
    }

    // Then: every operation answered at least once with success, and every answer fits its document
    const succeeded = new Set(
      answers.filter(({ response }) => response.status < 300).map((a) => a.operation),
    );
    for (const expected of MONEY_OPERATIONS)
      expect(succeeded, `${expected.method} ${expected.url}`).toContain(`${expected.method} ${expected.url}`);
    for (const { operation, response } of answers) {
      const [method, url] = operation.split(' ') as [string, string];
      const schema = documentedSchema(document.paths[url]?.[method], response);
      const where = `${operation} → ${response.status} ${response.text.slice(0, 200)}`;
      expect(response.status, where).toBeLessThan(500);
      expect(schema, `${where}: status not documented`).toBeDefined();
      expect(schemaViolations(schema as JsonSchema, response.json), where).toEqual([]);
    }
    expect(answers.filter(({ response }) => response.status >= 400).length).toBeGreaterThan(10);
  });

  it('Given each running service, When /docs is opened, Then the UI page is served without a token', async () => {
    for (const [name, service] of both()) {
      const page = await call(service.url, 'GET', '/docs/', { headers: { authorization: '' } });
      expect(page.status, name).toBe(200);
      expect(page.headers['content-type'], name).toContain('text/html');
    }
  });
});

/** What the document must say of each route issue 9 added (docs/money-operations.md). */
type ExpectedOperation = {
  method: 'get' | 'post';
  url: string;
  tag: string;
  successStatus: '200' | '201';
  /** The body's documented properties and which are required; undefined: no body. */
  body?: { properties: string[]; required: string[]; bodyRequired: boolean };
  pathParameters?: string[];
  query?: { name: string; required: boolean }[];
  /** Members the success answer must document as required. */
  answers: string[];
};

const HOLD_MEMBERS = [
  'hold_id',
  'from_user_id',
  'to_user_id',
  'amount',
  'captured_amount',
  'status',
  'expires_at',
  'created_at',
  'resolved_at',
  'transfer_id',
];
const HOLD_ANSWER_MEMBERS = [...HOLD_MEMBERS, 'balance', 'held', 'available_balance'];
const WALLET_MEMBERS = [
  'user_id',
  'balance',
  'held',
  'available_balance',
  'status',
  'status_reason',
  'seq',
  'created_at',
];
const REVERSE_BODY = { properties: ['amount', 'reason'], required: [], bodyRequired: false };

const MONEY_OPERATIONS: ExpectedOperation[] = [
  {
    method: 'post',
    url: '/withdrawMoney',
    tag: 'money',
    successStatus: '200',
    body: { properties: ['user_id', 'amount'], required: ['user_id', 'amount'], bodyRequired: true },
    answers: ['transaction_id', 'user_id', 'amount', 'updated_balance', 'available_balance'],
  },
  {
    method: 'post',
    url: '/holds',
    tag: 'holds',
    successStatus: '201',
    body: {
      properties: ['from_user_id', 'to_user_id', 'amount', 'expires_in_seconds'],
      required: ['from_user_id', 'to_user_id', 'amount'],
      bodyRequired: true,
    },
    answers: HOLD_ANSWER_MEMBERS,
  },
  {
    method: 'post',
    url: '/holds/{hold_id}/capture',
    tag: 'holds',
    successStatus: '200',
    body: { properties: ['amount'], required: [], bodyRequired: false },
    pathParameters: ['hold_id'],
    answers: HOLD_ANSWER_MEMBERS,
  },
  {
    method: 'post',
    url: '/holds/{hold_id}/void',
    tag: 'holds',
    successStatus: '200',
    body: { properties: [], required: [], bodyRequired: false },
    pathParameters: ['hold_id'],
    answers: HOLD_ANSWER_MEMBERS,
  },
  {
    method: 'get',
    url: '/holds/{hold_id}',
    tag: 'holds',
    successStatus: '200',
    pathParameters: ['hold_id'],
    answers: HOLD_MEMBERS,
  },
  {
    method: 'get',
    url: '/holds',
    tag: 'holds',
    successStatus: '200',
    query: [
      { name: 'user_id', required: true },
      { name: 'status', required: false },
      { name: 'limit', required: false },
      { name: 'cursor', required: false },
    ],
    answers: ['holds', 'next_cursor'],
  },
  {
    method: 'post',
    url: '/transfers/{transfer_id}/reverse',
    tag: 'reversals',
    successStatus: '200',
    body: REVERSE_BODY,
    pathParameters: ['transfer_id'],
    answers: [
      'reversal_id',
      'transfer_id',
      'from_user_id',
      'to_user_id',
      'amount',
      'reversed_total',
      'remaining',
      'from_balance',
      'to_balance',
      'from_available_balance',
    ],
  },
  {
    method: 'post',
    url: '/deposits/{transaction_id}/reverse',
    tag: 'reversals',
    successStatus: '200',
    body: REVERSE_BODY,
    pathParameters: ['transaction_id'],
    answers: [
      'reversal_id',
      'transaction_id',
      'user_id',
      'amount',
      'reversed_total',
      'remaining',
      'updated_balance',
      'available_balance',
    ],
  },
  {
    method: 'post',
    url: '/wallets/{user_id}/freeze',
    tag: 'wallets',
    successStatus: '200',
    body: { properties: ['reason'], required: ['reason'], bodyRequired: true },
    pathParameters: ['user_id'],
    answers: WALLET_MEMBERS,
  },
  ...(['unfreeze', 'close'] as const).map(
    (action): ExpectedOperation => ({
      method: 'post',
      url: `/wallets/{user_id}/${action}`,
      tag: 'wallets',
      successStatus: '200',
      body: { properties: ['reason'], required: [], bodyRequired: false },
      pathParameters: ['user_id'],
      answers: WALLET_MEMBERS,
    }),
  ),
];

/** The object a body schema describes: itself, or the object branch of an `anyOf [object, null]` (a nullish body). */
function objectBranch(schema: JsonSchema | undefined): JsonSchema | undefined {
  return schema?.anyOf?.find((option) => option.type === 'object') ?? schema;
}

/** The documented schema of the answer's status (exact, or its class: 4XX), for its content type. */
function documentedSchema(operation: Operation | undefined, response: HttpResult): JsonSchema | undefined {
  const responses = operation?.responses ?? {};
  const documented = responses[String(response.status)] ?? responses[`${String(response.status)[0]}XX`];
  const contentType = response.status >= 400 ? 'application/problem+json' : 'application/json';
  return documented?.content?.[contentType]?.schema;
}

/** `get /wallets/{user_id}` for every registered route a client is meant to see. */
function visibleRoutes(app: HttpApp): string[] {
  return registeredRoutes(app)
    .filter((route) => !route.hidden)
    .map((route) => `${route.method.toLowerCase()} ${route.url.replace(PATH_PARAMETER, '{$1}')}`);
}
