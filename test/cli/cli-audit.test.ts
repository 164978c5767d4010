import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStack, uniqueNamespace } from '../support/index.ts';
import { type BothServices, startBothServices } from '../support/services.ts';
import { buildBusyLedger, takeCheckpoint } from '../transactions-service/ledger-audit-harness.ts';
import { moneyClient } from '../transactions-service/money-operations-harness.ts';
import type { TransactionsServiceFixture } from '../transactions-service/transactions-service-harness.ts';
import { buildCliForTest, type CliRun, cliEnv, runCli, type ServicesUnderTest } from './cli-harness.ts';

const EXIT_AUDIT_FINDINGS = 8;

/**
 * `wallet audit` through the built CLI against both services: a clean busy ledger, then damage
 * planted with SQL in each service's database (kept: the tests run in order and build on it).
 */
describe('wallet audit, built, against both services', () => {
  let bin: string;
  let buildDir: string;
  let both: BothServices;
  let services: ServicesUnderTest;
  let usersDb: pg.Pool;
  let transactionsDb: pg.Pool;
  const wallet = (...args: string[]): Promise<CliRun> => runCli(bin, args, cliEnv(services));
  const userIds: string[] = [];

  beforeAll(async () => {
    const [built, started] = await Promise.all([
      buildCliForTest(),
      startBothServices('cli-audit', {}, { namespace: uniqueNamespace() }),
    ]);
    ({ bin, dir: buildDir } = built);
    both = started;
    const walletHome = mkdtempSync(join(tmpdir(), 'wallet-cli-home-'));
    services = {
      namespace: both.namespace,
      userServiceUrl: both.users.url,
      transactionsServiceUrl: both.transactions.url,
      brokers: getStack().kafka.brokers,
      walletHome,
      stop: async () => {
        await both.stop();
        rmSync(walletHome, { recursive: true, force: true });
      },
    };
    usersDb = new pg.Pool({ connectionString: both.usersDatabaseUrl, max: 2 });
    transactionsDb = new pg.Pool({ connectionString: both.transactionsDatabaseUrl, max: 2 });
    for (const name of ['ada', 'bob', 'cy']) {
      const created = await wallet('create-user', `${name}@example.com`, '--json');
      expect(created.code, created.stderr).toBe(0);
      userIds.push(JSON.parse(created.stdout).user_id as string);
    }
    const tx = { service: both.transactions } as TransactionsServiceFixture;
    await buildBusyLedger(moneyClient(tx), userIds);
    await takeCheckpoint(transactionsDb, both.namespace);
  });

  afterAll(async () => {
    await usersDb?.end();
    await transactionsDb?.end();
    await services?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('Given a busy ledger with a checkpoint, When `wallet audit` runs, Then it reports a clean audit and exits 0', async () => {
    // When
    const run = await wallet('audit');
    const asJson = await wallet('audit', '--json');

    // Then
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('audit clean: nothing found');
    expect(run.stdout).toContain('services: 3 users, 3 wallets');
    expect(asJson.code).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({
      ok: true,
      findings: [],
      reconciliation: { users: 3, wallets: 3 },
      ledger: { ok: true, wallets: 3, checkpoints: { pinned_wallets: 3, roots_recomputed: 1 } },
    });
  });

  it('Given a wallet without a user and a user without a wallet, When audited, Then both are named and the exit code is 8', async () => {
    // Given
    const { rows } = await transactionsDb.query<{ id: string }>(
      'INSERT INTO users (user_id) VALUES (gen_random_uuid()) RETURNING user_id::text AS id',
    );
    const orphanWallet = rows[0]?.id;
    const { rows: users } = await usersDb.query<{ id: string }>(
      "INSERT INTO users (user_id, email) VALUES (gen_random_uuid(), 'ghost@example.com') RETURNING user_id::text AS id",
    );
    const walletlessUser = users[0]?.id;

    // When
    const run = await wallet('audit', '--json');
    const human = await wallet('audit');

    // Then
    expect(run.code, run.stderr).toBe(EXIT_AUDIT_FINDINGS);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    expect(report.ledger.ok).toBe(true);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'wallet-without-user', user_id: orphanWallet }),
      expect.objectContaining({ kind: 'user-without-wallet', user_id: walletlessUser }),
    ]);
    expect(human.code).toBe(EXIT_AUDIT_FINDINGS);
    expect(human.stdout).toContain('wallet-without-user');
    expect(human.stdout).toContain('2 findings');
  });

  it('Given a ledger amount edited with SQL, When audited, Then the CLI names the row and exits 8', async () => {
    // Given
    const { rows } = await transactionsDb.query<{ id: string }>(
      "SELECT id::text FROM transactions WHERE kind = 'withdrawal' ORDER BY seq LIMIT 1",
    );
    const rowId = rows[0]?.id;
    await transactionsDb.query(
      `BEGIN;
       ALTER TABLE transactions DISABLE TRIGGER transactions_append_only;
       UPDATE transactions SET balance_change = -0.01, new_balance = old_balance - 0.01 WHERE id = '${rowId}';
       ALTER TABLE transactions ENABLE TRIGGER transactions_append_only;
       COMMIT;`,
    );

    // When
    const run = await wallet('audit', '--json');

    // Then
    expect(run.code, run.stderr).toBe(EXIT_AUDIT_FINDINGS);
    const report = JSON.parse(run.stdout);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ kind: 'row-hash-mismatch', row_id: rowId }),
    );
    expect(report.ledger.findings_by_kind).toMatchObject({
      'row-hash-mismatch': 1,
      'money-not-conserved': 1,
    });
  });
});
