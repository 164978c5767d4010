import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../services/shared/src/config.ts';
import { digestToken } from '../../services/shared/src/http/access-tokens.ts';
import { loadTransactionsConfig } from '../../services/transactions-service/src/config.ts';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import { loadUserConfig } from '../../services/user-service/src/config.ts';
import {
  call,
  captureLogs,
  createTestDatabase,
  runServerUntilExit,
  serviceEnv,
  startTestTransactionsService,
  type TestDatabase,
  uniqueNamespace,
} from '../support/index.ts';
import { balanceText, openPool } from '../transactions-service/transactions-service-harness.ts';

const OPERATOR_TOKEN = 'ops-operator-token-7c1f0e2a9b';
const READER_TOKEN = 'ops-reader-token-55d0a1c3e7';
const OWNER_TOKEN = 'ops-owner-token-0b9e4d2c81';
const EXIT_BAD_CONFIG = 2;
const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('access control of transactions-service (OWASP API1 object level, API5 function level)', () => {
  let database: TestDatabase;
  let service: RunningTransactionsService;
  let pool: pg.Pool;
  let workDir: string;
  const logs = captureLogs();
  const owner = randomUUID();
  const stranger = randomUUID();

  beforeAll(async () => {
    // Given wallets whose ids are known before the service starts, so a user token can name one
    database = await createTestDatabase('ops_access');
    pool = openPool(database.url);
    workDir = mkdtempSync(path.join(tmpdir(), 'ops-access-'));
    const tokensFile = path.join(workDir, 'tokens.json');
    writeFileSync(
      tokensFile,
      JSON.stringify([
        { scope: 'user', name: 'owner', user_id: owner, sha256: digestToken(OWNER_TOKEN).toString('hex') },
      ]),
    );
    service = await startTestTransactionsService(
      database.url,
      `${uniqueNamespace()}.`,
      {
        WALLET_OPERATOR_TOKEN: OPERATOR_TOKEN,
        WALLET_READER_TOKEN: READER_TOKEN,
        WALLET_TOKENS_FILE: tokensFile,
        // Everything a request can make the service log, so the check that no token leaks means something.
        LOG_LEVEL: 'trace',
      },
      { logStream: logs.stream },
    );
    await pool.query('INSERT INTO users (user_id) VALUES ($1::uuid), ($2::uuid)', [owner, stranger]);
    for (const userId of [owner, stranger]) {
      const deposit = await call(service.url, 'POST', '/addMoney', {
        json: { user_id: userId, amount: '100.00' },
        headers: bearer(OPERATOR_TOKEN),
      });
      expect(deposit.status).toBe(200);
    }
  });

  afterAll(async () => {
    await service?.stop();
    await pool?.end();
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('Given no token or an unknown one, When moving money, Then 401 UNAUTHORIZED as problem+json', async () => {
    // When
    const missing = await call(service.url, 'POST', '/addMoney', {
      json: { user_id: owner, amount: 1 },
      headers: { authorization: '' },
    });
    const unknown = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: owner, to_user_id: stranger, amount: 1 },
      headers: bearer('not-a-token-this-service-knows'),
    });

    // Then
    for (const response of [missing, unknown]) {
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect(await balanceText(pool, owner)).toBe('100.00');
  });

  it('Given a reader or a user token, When adding money, Then 403 FORBIDDEN: deposits are for the operator', async () => {
    for (const token of [READER_TOKEN, OWNER_TOKEN]) {
      const response = await call(service.url, 'POST', '/addMoney', {
        json: { user_id: owner, amount: 1 },
        headers: bearer(token),
      });
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json.code).toBe('FORBIDDEN');
    }
    expect(await balanceText(pool, owner)).toBe('100.00');
  });

  it("Given a user token, When it transfers from its own wallet and then from someone else's, Then the first moves money and the second is 403", async () => {
    // When
    const own = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: owner, to_user_id: stranger, amount: '2.50' },
      headers: bearer(OWNER_TOKEN),
    });
    const foreign = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: stranger.toUpperCase(), to_user_id: owner, amount: '50.00' },
      headers: bearer(OWNER_TOKEN),
    });
    const byReader = await call(service.url, 'POST', '/transferMoney', {
      json: { from_user_id: owner, to_user_id: stranger, amount: 1 },
      headers: bearer(READER_TOKEN),
    });

    // Then
    expect(own.status).toBe(200);
    expect(foreign.status).toBe(403);
    expect(foreign.json.code).toBe('FORBIDDEN');
    expect(byReader.status).toBe(403);
    expect(await balanceText(pool, owner)).toBe('97.50');
    expect(await balanceText(pool, stranger)).toBe('102.50');
  });

  it('Given a user token, When it reads wallets and histories, Then only its own; listing all wallets is for operator and reader', async () => {
    const read = async (url: string, token: string) =>
      (await call(service.url, 'GET', url, { headers: bearer(token) })).status;

    expect(await read(`/wallets/${owner}`, OWNER_TOKEN)).toBe(200);
    expect(await read(`/transactions?user_id=${owner}`, OWNER_TOKEN)).toBe(200);
    expect(await read(`/wallets/${stranger}`, OWNER_TOKEN)).toBe(403);
    expect(await read(`/transactions?user_id=${stranger}`, OWNER_TOKEN)).toBe(403);
    expect(await read('/wallets', OWNER_TOKEN)).toBe(403);

    expect(await read('/wallets', READER_TOKEN)).toBe(200);
    expect(await read(`/wallets/${stranger}`, READER_TOKEN)).toBe(200);
    expect(await read(`/transactions?user_id=${stranger}`, READER_TOKEN)).toBe(200);
    expect(await read('/wallets', OPERATOR_TOKEN)).toBe(200);
  });

  it('Given no token, When probing health, metrics and the API description, Then they answer; an unknown route is 404', async () => {
    const anonymous = { headers: { authorization: '' } };
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      const response = await call(service.url, 'GET', url, anonymous);
      expect(response.status, url).toBe(200);
    }
    expect((await call(service.url, 'GET', '/no-such-route', anonymous)).status).toBe(404);
  });

  it('Given all the requests above, When reading the log, Then no token appears in it, while requests were logged', () => {
    const text = logs.text();
    expect(logs.lines.some((line) => line.msg === 'incoming request')).toBe(true);
    for (const token of [OPERATOR_TOKEN, READER_TOKEN, OWNER_TOKEN, 'not-a-token-this-service-knows']) {
      expect(text).not.toContain(token);
    }
  });
});

describe('secure by default', () => {
  it.each([
    [
      'transactions-service',
      () => loadTransactionsConfig(serviceEnv('postgres://x@h/d', 'x', { WALLET_OPERATOR_TOKEN: '' })),
    ],
    [
      'user-service',
      () => loadUserConfig(serviceEnv('postgres://x@h/d', 'x', { WALLET_OPERATOR_TOKEN: '' })),
    ],
  ])(
    'Given no token and no WALLET_AUTH_DISABLED, When %s loads its config, Then a ConfigError says what to set',
    (_name, load) => {
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/set WALLET_OPERATOR_TOKEN .*or WALLET_AUTH_DISABLED=true/s);
    },
  );

  it('Given a token shorter than 16 characters or a bad WALLET_AUTH_DISABLED, When loading, Then a ConfigError names the variable', () => {
    const env = (overrides: Record<string, string>) => serviceEnv('postgres://x@h/d', 'x', overrides);
    expect(() => loadTransactionsConfig(env({ WALLET_OPERATOR_TOKEN: 'short' }))).toThrow(
      /WALLET_OPERATOR_TOKEN: a token needs at least 16 characters/,
    );
    expect(() => loadTransactionsConfig(env({ WALLET_AUTH_DISABLED: 'yes' }))).toThrow(
      /WALLET_AUTH_DISABLED/,
    );
  });

  it('Given no token, When server.ts starts, Then it prints what to set and exits 2', async () => {
    // Given
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...serviceEnv('postgres://nobody@127.0.0.1:1/none', 'x'),
      WALLET_OPERATOR_TOKEN: undefined,
      WALLET_READER_TOKEN: undefined,
      WALLET_TOKENS_FILE: undefined,
      WALLET_AUTH_DISABLED: undefined,
    };

    // When
    const { exitCode, stderr } = await runServerUntilExit('transactions-service', env);

    // Then
    expect(exitCode).toBe(EXIT_BAD_CONFIG);
    expect(stderr).toMatch(/WALLET_OPERATOR_TOKEN/);
    expect(stderr).toMatch(/WALLET_AUTH_DISABLED=true/);
  });

  it.each([
    ['transactions-service', loadTransactionsConfig, serviceEnv],
    ['user-service', loadUserConfig, serviceEnv],
  ] as const)(
    'Given a tokens file that does not exist or is not a token list, When %s loads its config, Then a ConfigError names WALLET_TOKENS_FILE before anything connects',
    (_name, load, env) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ops-tokens-file-'));
      try {
        const notJson = path.join(dir, 'not-json.json');
        const notTokens = path.join(dir, 'not-tokens.json');
        writeFileSync(notJson, '{ not json');
        writeFileSync(notTokens, JSON.stringify([{ scope: 'admin', name: 'x', sha256: 'nope' }]));
        for (const tokensFile of [path.join(dir, 'missing.json'), notJson, notTokens]) {
          // An unreachable database: the config must fail before anything tries to connect.
          const overrides = { WALLET_OPERATOR_TOKEN: '', WALLET_TOKENS_FILE: tokensFile };
          const config = env('postgres://nobody@127.0.0.1:1/none', 'x', overrides);
          expect(() => load(config), tokensFile).toThrow(ConfigError);
          expect(() => load(config), tokensFile).toThrow(/WALLET_TOKENS_FILE: cannot be used/);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('Given a tokens file that does not exist, When server.ts starts, Then it names WALLET_TOKENS_FILE and exits 2 without connecting', async () => {
    // Given: dependencies that are not there, so a start that got past the config would fail otherwise
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...serviceEnv('postgres://nobody@127.0.0.1:1/none', 'x', {
        KAFKA_BROKERS: '127.0.0.1:1',
        WALLET_TOKENS_FILE: path.join(tmpdir(), `missing-${randomUUID()}.json`),
      }),
    };

    // When
    const { exitCode, stderr } = await runServerUntilExit('transactions-service', env);

    // Then
    expect(exitCode).toBe(EXIT_BAD_CONFIG);
    expect(stderr).toMatch(
      /^transactions-service: invalid configuration:\n {2}WALLET_TOKENS_FILE: cannot be used/,
    );
    expect(stderr).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
  });

  it('Given WALLET_AUTH_DISABLED=true, When the service runs, Then it warns loudly at start and lets requests in without a token', async () => {
    // Given
    const database = await createTestDatabase('ops_auth_disabled');
    const logs = captureLogs();
    const service = await startTestTransactionsService(
      database.url,
      `${uniqueNamespace()}.`,
      { WALLET_OPERATOR_TOKEN: '', WALLET_AUTH_DISABLED: 'true', LOG_LEVEL: 'info' },
      { logStream: logs.stream },
    );
    try {
      // When
      const wallets = await call(service.url, 'GET', '/wallets', { headers: { authorization: '' } });

      // Then
      expect(wallets.status).toBe(200);
      const warning = logs.lines.find((line) => String(line.msg).includes('AUTHENTICATION IS OFF'));
      expect(warning?.level).toBe(40);
    } finally {
      await service.stop();
      await database.drop();
    }
  });
});
