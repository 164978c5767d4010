import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, getStack } from '../support/index.ts';
import {
  type CreatedUser,
  type ServicesWithUserToken,
  startServicesWithUserToken,
} from '../support/user-token-services.ts';
import { buildCliForTest, type CliRun, runCli } from './cli-harness.ts';

/**
 * A person with only their own token pays someone from the CLI (issue 14 item 2): the payee is
 * sent to the platform as given, never looked up in user-service, which a user token may not read.
 */
describe('the wallet CLI with a user token, against both services', () => {
  let bin: string;
  let buildDir: string;
  let services: ServicesWithUserToken;
  let ann: CreatedUser;
  let ben: CreatedUser;

  /** The CLI as ann: her own token and nothing else. */
  const asAnn = (...args: string[]): Promise<CliRun> =>
    runCli(bin, args, {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      USER_SERVICE_URL: services.usersUrl,
      TRANSACTIONS_SERVICE_URL: services.transactionsUrl,
      KAFKA_BROKERS: getStack().kafka.brokers.join(','),
      WALLET_NAMESPACE: services.namespace,
      WALLET_HOME: buildDir,
      WALLET_TOKEN: services.userToken,
    });
  /** Balances as the operator sees them. */
  const balanceOf = async (user: CreatedUser) =>
    (await call(services.transactionsUrl, 'GET', `/wallets/${user.user_id}`)).json.balance;

  beforeAll(async () => {
    const [built, started] = await Promise.all([
      buildCliForTest(),
      startServicesWithUserToken('cli_user_token', ['ann@example.com', 'ben@example.com']),
    ]);
    ({ bin, dir: buildDir } = built);
    services = started;
    ann = services.users['ann@example.com'] ?? expect.fail('no ann');
    ben = services.users['ben@example.com'] ?? expect.fail('no ben');
    const deposit = await call(services.transactionsUrl, 'POST', '/addMoney', {
      json: { user_id: ann.user_id, amount: '20.00' },
    });
    expect(deposit.status, deposit.text).toBe(200);
  });

  afterAll(async () => {
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it("Given ann's own token, When she transfers 1 to ben by email, Then it exits 0, the money moves and ben's balance is not shown", async () => {
    // When
    const run = await asAnn('transfer', ann.email, ben.email, '1');

    // Then
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`transferred 1.00 from ${ann.email} to ${ben.email}`);
    expect(run.stdout).toMatch(/ann@example\.com\s+19\.00/);
    expect(run.stdout).not.toMatch(/ben@example\.com\s+1\.00/);
    expect(await balanceOf(ann)).toBe(19);
    expect(await balanceOf(ben)).toBe(1);
  });

  it("Given ann's own token, When she transfers 2.50 by ids with --json, Then it exits 0 and the document has no balance of ben's", async () => {
    // When
    const run = await asAnn('transfer', ann.user_id, ben.user_id, '2.50', '--json');

    // Then
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({
      amount: '2.50',
      from: { user_id: ann.user_id, email: ann.email, balance: '16.50' },
      to: { user_id: ben.user_id, balance: null },
    });
    expect(await balanceOf(ben)).toBe(3.5);
  });

  it("Given ann's own token, When she pays an email nobody has, Then exit 3 USER_NOT_FOUND and nothing moves", async () => {
    // When
    const run = await asAnn('transfer', ann.email, 'nobody-here@example.com', '1', '--json');

    // Then
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).error.code).toBe('USER_NOT_FOUND');
    expect(await balanceOf(ann)).toBe(16.5);
  });
});
