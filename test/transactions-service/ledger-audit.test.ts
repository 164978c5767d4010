import { describe, expect, it } from 'vitest';
import {
  auditOverHttp,
  auditWithPlanted,
  type BusyLedger,
  buildBusyLedger,
  kindsOf,
  rehashWallet,
  takeCheckpoint,
} from './ledger-audit-harness.ts';
import { expectOk, moneyClient } from './money-operations-harness.ts';
import { openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

describe('ledger audit', () => {
  const tx = useTransactionsService('tx_ledger_audit');
  const api = moneyClient(tx);
  let ledger: BusyLedger;

  async function firstRow(sql: string, values: unknown[]): Promise<Record<string, string>> {
    const { rows } = await tx.pool.query(sql, values);
    expect(rows.length, sql).toBeGreaterThan(0);
    return rows[0] as Record<string, string>;
  }

  it('Given a busy ledger with a checkpoint and more money moved after it, When it is audited, Then the audit streams progress and a clean summary', async () => {
    // Given
    const userIds = await openWalletsDirectly(tx.pool, 4);
    ledger = await buildBusyLedger(api, userIds);
    expect(await takeCheckpoint(tx.pool, tx.namespace)).not.toBeNull();
    expectOk(await api.transfer(userIds[0]!, userIds[3]!, '1.01'));
    expectOk(await api.deposit(userIds[3]!, '2.02'));

    // When
    const audit = await auditOverHttp(tx.service.url);

    // Then
    expect(audit.contentType).toContain('application/x-ndjson');
    expect(audit.findings).toEqual([]);
    expect(audit.records[0]).toMatchObject({ type: 'progress', phase: 'chains' });
    expect(audit.summary).toMatchObject({
      ok: true,
      wallets: 4,
      findings: 0,
      money: {
        balances_total: '417.89',
        deposits_total: '427.35',
        withdrawals_total: '4.21',
        deposit_reversals_total: '5.25',
      },
      events: { rows_not_checked: 0 },
      checkpoints: { pinned_wallets: 4, records_checked: 1, roots_recomputed: 1 },
    });
    expect(audit.summary?.rows).toBe(audit.summary?.events.rows_checked);
  });

  it('Given a deposit whose amount was edited with SQL, When audited, Then the audit names the row, its broken hash and the money that no longer adds up', async () => {
    const row = await firstRow(
      'SELECT id::text, user_id::text, wallet_seq::int AS seq FROM transactions WHERE id = $1',
      [ledger.depositId],
    );
    const audit = await auditWithPlanted(tx.pool, tx.namespace, async (client) => {
      await client.query(
        'UPDATE transactions SET balance_change = balance_change + 1, new_balance = new_balance + 1 WHERE id = $1',
        [ledger.depositId],
      );
    });
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        kind: 'row-hash-mismatch',
        row_id: row.id,
        user_id: row.user_id,
        seq: row.seq,
      }),
    );
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        kind: 'chain-balance-break',
        user_id: row.user_id,
        seq: Number(row.seq) + 1,
        expected: expect.any(String),
      }),
    );
    expect(kindsOf(audit.findings)).toEqual(
      expect.arrayContaining(['money-not-conserved', 'event-mismatch', 'row-hash-mismatch']),
    );
    expect(audit.summary?.ok).toBe(false);
  });

  it('Given a transfer leg deleted with SQL, When audited, Then the audit names the gap in the chain and the transfer left with one leg', async () => {
    const row = await firstRow(
      "SELECT id::text, user_id::text, wallet_seq::int AS seq FROM transactions WHERE transfer_id = $1 AND kind = 'transfer_in'",
      [ledger.transferId],
    );
    const audit = await auditWithPlanted(tx.pool, tx.namespace, async (client) => {
      await client.query('DELETE FROM transactions WHERE id = $1', [row.id]);
    });
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        kind: 'chain-seq-gap',
        user_id: row.user_id,
        seq: Number(row.seq) + 1,
        expected: `seq ${row.seq}`,
      }),
    );
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        kind: 'transfer-legs-mismatch',
        detail: expect.stringContaining(ledger.transferId),
      }),
    );
    expect(audit.findings).toContainEqual(
      expect.objectContaining({ kind: 'event-mismatch', user_id: row.user_id, seq: Number(row.seq) }),
    );
  });

  it('Given a row rewritten before the checkpoint and its chain re-hashed with the SQL function, When audited, Then only the checkpoint catches it', async () => {
    const userId = ledger.userIds[1]!;
    const pinned = await firstRow(
      'SELECT seq::int AS seq FROM ledger_checkpoint_wallets WHERE user_id = $1',
      [userId],
    );
    const audit = await auditWithPlanted(tx.pool, tx.namespace, async (client) => {
      await client.query(
        `UPDATE transactions SET "timestamp" = "timestamp" - interval '1 minute' WHERE user_id = $1 AND wallet_seq = 1`,
        [userId],
      );
      await rehashWallet(client, userId);
    });
    expect(kindsOf(audit.findings)).toEqual(['checkpoint-mismatch']);
    expect(audit.findings).toContainEqual(
      expect.objectContaining({ kind: 'checkpoint-mismatch', user_id: userId, seq: pinned.seq }),
    );
  });

  it('Given an outbox event dropped with SQL, When audited, Then the audit names the row left without its event', async () => {
    const audit = await auditWithPlanted(tx.pool, tx.namespace, async (client) => {
      await client.query(
        "DELETE FROM outbox WHERE payload->>'transaction_id' = $1 AND topic LIKE '%money-added'",
        [ledger.depositId],
      );
    });
    expect(audit.findings).toEqual([
      expect.objectContaining({
        kind: 'event-missing',
        row_id: ledger.depositId,
        expected: '1 event',
        actual: '0 events',
      }),
    ]);
  });

  it('Given a pending hold that no ledger row holds, When audited, Then the audit names the wallet whose held is not its pending holds', async () => {
    const [from, to] = ledger.userIds as [string, string];
    const audit = await auditWithPlanted(tx.pool, tx.namespace, async (client) => {
      await client.query(
        `INSERT INTO holds (hold_id, from_user_id, to_user_id, amount, expires_at)
         VALUES (gen_random_uuid(), $1, $2, 4.00, now() + interval '1 hour')`,
        [from, to],
      );
    });
    expect(kindsOf(audit.findings)).toEqual(['held-mismatch', 'hold-ledger-mismatch']);
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        kind: 'held-mismatch',
        user_id: from,
        expected: expect.any(String),
        actual: expect.any(String),
      }),
    );
  });

  it('Given a wallet whose balance was raised with SQL, When audited over HTTP, Then its head and the money total are named', async () => {
    const userId = ledger.userIds[2]!;
    await tx.pool.query('UPDATE users SET balance = balance + 50 WHERE user_id = $1', [userId]);
    const audit = await auditOverHttp(tx.service.url);
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        kind: 'wallet-head-mismatch',
        user_id: userId,
        detail: expect.stringContaining('balance'),
      }),
    );
    expect(kindsOf(audit.findings)).toContain('money-not-conserved');
    expect(audit.summary).toMatchObject({ ok: false, findings: audit.findings.length });
  });
});

describe('ledger audit past nine checkpoints', () => {
  const tx = useTransactionsService('tx_ledger_audit_many');
  const api = moneyClient(tx);

  it('Given eleven checkpoints, When audited, Then the latest one is judged (checkpoint 11, not 9 as text sorts them) and the ledger is clean', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    for (let n = 1; n <= 11; n++) {
      expectOk(await api.deposit(userId!, n));
      expect(await takeCheckpoint(tx.pool, tx.namespace)).not.toBeNull();
    }

    // When
    const audit = await auditOverHttp(tx.service.url);

    // Then
    expect(audit.findings).toEqual([]);
    expect(audit.summary).toMatchObject({
      ok: true,
      checkpoints: { records_checked: 11, roots_recomputed: 11 },
    });
  });
});
