import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BothServices, call, startBothServices, writeTokensFile } from '../support/index.ts';

const READER_TOKEN = 'metrics-reader-token-4f2a9c1e';
const USER_TOKEN = 'metrics-user-token-8b3d0e7f';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * /metrics tells money operation counts, outbox backlog and pool use: issue 14 found it public on
 * the API port. It is for operator and reader tokens; the 401 comes before any gauge is read.
 */
describe('who may scrape /metrics', () => {
  let services: BothServices;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'metrics-access-'));
    const tokensFile = writeTokensFile(workDir, [
      { token: USER_TOKEN, scope: 'user', name: 'someone', user_id: randomUUID() },
    ]);
    services = await startBothServices('metrics_access', {
      WALLET_READER_TOKEN: READER_TOKEN,
      WALLET_TOKENS_FILE: tokensFile,
    });
  });

  afterAll(async () => {
    await services?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('given both services, when /metrics is asked without a token, with a user token, a reader token and the operator token, then 401, 403, 200 and 200', async () => {
    for (const service of [services.users, services.transactions]) {
      const anonymous = await call(service.url, 'GET', '/metrics', { headers: { authorization: '' } });
      const user = await call(service.url, 'GET', '/metrics', { headers: bearer(USER_TOKEN) });
      const reader = await call(service.url, 'GET', '/metrics', { headers: bearer(READER_TOKEN) });
      const operator = await call(service.url, 'GET', '/metrics');

      expect([anonymous.status, user.status, reader.status, operator.status], service.url).toEqual([
        401, 403, 200, 200,
      ]);
      expect(anonymous.json.code).toBe('UNAUTHORIZED');
      expect(anonymous.text).not.toContain('wallet_');
      expect(user.json.code).toBe('FORBIDDEN');
      expect(reader.text).toContain('wallet_http_request_duration_seconds');
    }
  });
});
