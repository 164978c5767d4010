import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalletApis, type WalletApis } from '../../cli/src/services/api/wallet-apis.ts';
import { createDashboardActions } from '../../cli/src/services/dashboard/dashboard-actions.ts';
import { DashboardStore } from '../../cli/src/services/dashboard/dashboard-store.ts';
import { TEST_OPERATOR_TOKEN } from '../support/index.ts';
import {
  buildCliForTest,
  type CliRun,
  cliEnv,
  runCli,
  type ServicesUnderTest,
  startServicesForTest,
} from './cli-harness.ts';
import { type RecordingProxy, type SeenRequest, startRecordingProxy } from './recording-proxy.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The requests that change something: every one must carry a key. */
const isChange = (seen: SeenRequest) => seen.method === 'POST';

/**
 * Every command that changes money or a wallet sends an Idempotency-Key, one per run, and its
 * retries send the same one (issue 12): the built CLI and the dashboard's actions, against both
 * real services behind proxies that record each request and can lose an answer after the service
 * did the work.
 */
describe('the CLI’s Idempotency-Keys, against both services', () => {
  let bin: string;
  let buildDir: string;
  let services: ServicesUnderTest;
  let users: RecordingProxy;
  let transactions: RecordingProxy;
  const wallet = (...args: string[]): Promise<CliRun> =>
    runCli(
      bin,
      args,
      cliEnv(services, { USER_SERVICE_URL: users.url, TRANSACTIONS_SERVICE_URL: transactions.url }),
    );
  const json = (run: CliRun) => JSON.parse(run.stdout);
  /** Runs a command that must succeed and returns what the proxies saw of it. */
  const seenDuring = async (...args: string[]): Promise<{ run: CliRun; seen: SeenRequest[] }> => {
    const [usersBefore, transactionsBefore] = [users.seen.length, transactions.seen.length];
    const run = await wallet(...args);
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    return {
      run,
      seen: [...users.seen.slice(usersBefore), ...transactions.seen.slice(transactionsBefore)].filter(
        isChange,
      ),
    };
  };

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildCliForTest(), startServicesForTest('cli-keys')]);
    ({ bin, dir: buildDir } = built);
    services = started;
    users = await startRecordingProxy(services.userServiceUrl);
    transactions = await startRecordingProxy(services.transactionsServiceUrl);
    for (const email of ['ann@example.com', 'ben@example.com', 'cat@example.com']) {
      await seenDuring('create-user', email);
    }
  });

  afterAll(async () => {
    await users?.close();
    await transactions?.close();
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('Given the answer to add-money is lost after the deposit, When the CLI retries, Then the retry carries the same key and the money lands once', async () => {
    // Given
    transactions.loseNextAnswer('/addMoney');

    // When
    const { run, seen } = await seenDuring('add-money', 'ann@example.com', '100', '--json');

    // Then
    expect(seen.map((request) => request.path)).toEqual(['/addMoney', '/addMoney']);
    expect(seen[0]?.idempotencyKey).toMatch(UUID);
    expect(seen[1]?.idempotencyKey).toBe(seen[0]?.idempotencyKey);
    expect(json(run)).toMatchObject({
      balance: '100.00',
      replayed: true,
      idempotency_key: seen[0]?.idempotencyKey,
    });
  });

  it('Given the answer to a transfer is lost, When the CLI retries, Then the same key and the money moves once', async () => {
    // Given
    transactions.loseNextAnswer('/transferMoney');

    // When
    const { seen } = await seenDuring('transfer', 'ann@example.com', 'ben@example.com', '10');

    // Then
    expect(seen).toHaveLength(2);
    expect(new Set(seen.map((request) => request.idempotencyKey)).size).toBe(1);
    const balance = json(await wallet('balance', 'ann@example.com', '--json'));
    expect(balance.balance).toBe('90.00');
  });

  it('Given every other command that changes something, When each runs once, Then each request carries a key of its own', async () => {
    // When
    const keysByCommand: string[] = [];
    const record = async (...args: string[]) => {
      const { run, seen } = await seenDuring(...args);
      expect(seen.length, args.join(' ')).toBeGreaterThan(0);
      for (const request of seen) expect(request.idempotencyKey, args.join(' ')).toMatch(UUID);
      keysByCommand.push(...new Set(seen.map((request) => request.idempotencyKey ?? '')));
      return run;
    };
    await record('withdraw', 'ann@example.com', '1');
    const captured = json(await record('hold', 'ann@example.com', 'ben@example.com', '3', '--json'));
    await record('capture', captured.hold_id, '1');
    const voided = json(await record('hold', 'ann@example.com', 'ben@example.com', '2', '--json'));
    await record('void', voided.hold_id);
    const transfer = json(await record('transfer', 'ann@example.com', 'ben@example.com', '4', '--json'));
    await record('reverse', transfer.transfer_id, '1', '--reason', 'test');
    await record('freeze', 'ben@example.com', '--reason', 'test');
    await record('unfreeze', 'ben@example.com');
    await record('close', 'cat@example.com');

    // Then: one key per command, none shared between two commands
    expect(keysByCommand).toHaveLength(10);
    expect(new Set(keysByCommand).size).toBe(10);
  });

  it('Given create-user, When it runs, Then its request carries a key', async () => {
    const { seen } = await seenDuring('create-user', 'dan@example.com');
    expect(seen.map((request) => request.path)).toEqual(['/createUser']);
    expect(seen[0]?.idempotencyKey).toMatch(UUID);
  });

  it('Given --idempotency-key, When a command runs, Then that key is sent as given', async () => {
    const { seen } = await seenDuring(
      'add-money',
      'ann@example.com',
      '1',
      '--idempotency-key',
      'given-key-1',
    );
    expect(seen.map((request) => request.idempotencyKey)).toEqual(['given-key-1']);
  });

  describe('the dashboard’s money actions', () => {
    let apis: WalletApis;
    let store: DashboardStore;

    beforeAll(() => {
      apis = createWalletApis({
        userServiceUrl: users.url,
        transactionsServiceUrl: transactions.url,
        kafkaBrokers: services.brokers,
        namespace: services.namespace,
        token: TEST_OPERATOR_TOKEN,
        stackDir: services.walletHome,
      });
      store = new DashboardStore();
    });

    afterAll(async () => {
      await apis?.close();
    });

    it('Given the answer to a dashboard deposit is lost, When the client retries, Then the same key, one deposit, and the status says done', async () => {
      // Given
      const actions = createDashboardActions(apis, store);
      const before = transactions.seen.length;
      transactions.loseNextAnswer('/addMoney');

      // When
      await actions.addMoney('ben@example.com', '7');

      // Then
      const seen = transactions.seen.slice(before).filter(isChange);
      expect(seen.map((request) => request.path)).toEqual(['/addMoney', '/addMoney']);
      expect(seen[0]?.idempotencyKey).toMatch(UUID);
      expect(seen[1]?.idempotencyKey).toBe(seen[0]?.idempotencyKey);
      expect(store.status()).toMatchObject({ kind: 'ok' });
      expect(store.status()?.text).toContain('added 7.00 to ben@example.com');
    });

    it('Given the dashboard’s withdraw, transfer and hold, When each runs, Then each sends a key of its own', async () => {
      const actions = createDashboardActions(apis, store);
      const before = transactions.seen.length;
      await actions.withdraw('ben@example.com', '1');
      await actions.transfer('ben@example.com', 'ann@example.com', '1');
      await actions.hold('ben@example.com', 'ann@example.com', '1', '');
      const seen = transactions.seen.slice(before).filter(isChange);
      expect(seen).toHaveLength(3);
      for (const request of seen) expect(request.idempotencyKey).toMatch(UUID);
      expect(new Set(seen.map((request) => request.idempotencyKey)).size).toBe(3);
    });
  });
});
