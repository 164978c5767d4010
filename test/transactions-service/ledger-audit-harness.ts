import type pg from 'pg';
import { expect } from 'vitest';
import type {
  AuditFinding,
  AuditRecord,
  AuditSummary,
} from '../../services/shared/src/contracts/audit-api.ts';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import { auditLedger } from '../../services/transactions-service/src/audit/run-ledger-audit.ts';
import { CHECKPOINT_PART_SIZE } from '../../services/transactions-service/src/ledger-checkpoints.ts';
import { call } from '../support/index.ts';
import { expectOk, type moneyClient } from './money-operations-harness.ts';

type MoneyClient = ReturnType<typeof moneyClient>;

export type AuditResult = {
  records: AuditRecord[];
  findings: AuditFinding[];
  summary: AuditSummary | undefined;
};

export function auditResult(records: AuditRecord[]): AuditResult {
  const findings: AuditFinding[] = [];
  let summary: AuditSummary | undefined;
  for (const { type, ...rest } of records) {
    if (type === 'finding') findings.push(rest as AuditFinding);
    if (type === 'summary') summary = rest as AuditSummary;
  }
  return { records, findings, summary };
}

/** GET /audit, its NDJSON lines parsed. */
export async function auditOverHttp(
  baseUrl: string,
): Promise<AuditResult & { status: number; contentType: string }> {
  const response = await call(baseUrl, 'GET', '/audit');
  expect(response.status, response.text).toBe(200);
  const records = response.text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
  return {
    ...auditResult(records),
    status: response.status,
    contentType: response.headers['content-type'] ?? '',
  };
}

/** The audit run in-process on `client`: it sees what the client's open transaction planted. */
export async function auditOnClient(client: pg.PoolClient, namespace: string): Promise<AuditResult> {
  const records: AuditRecord[] = [];
  for await (const record of auditLedger(client, { checkpointTopic: checkpointTopic(namespace) }))
    records.push(record);
  return auditResult(records);
}

export function checkpointTopic(namespace: string): string {
  return topicName(namespace, TOPICS.ledgerCheckpoints);
}

/** Takes a checkpoint now, as the service's timer does. */
export async function takeCheckpoint(pool: pg.Pool, namespace: string): Promise<number | null> {
  const { rows } = await pool.query<{ id: string | null }>(
    'SELECT take_ledger_checkpoint($1::text, $2::text, $3::int)::text AS id',
    [checkpointTopic(namespace), TOPICS.ledgerCheckpoints, CHECKPOINT_PART_SIZE],
  );
  return rows[0]?.id === null || rows[0]?.id === undefined ? null : Number(rows[0].id);
}

export type BusyLedger = { userIds: string[]; depositId: string; transferId: string };

/**
 * Every kind of ledger row on `userIds` (at least 3 wallets): deposits (past seq 9 on the first wallet), transfers, a captured and a
 * voided hold, a pending hold, transfer and deposit reversals, withdrawals.
 */
export async function buildBusyLedger(api: MoneyClient, userIds: string[]): Promise<BusyLedger> {
  const [a, b, c] = userIds as [string, string, string];
  for (const userId of userIds) expectOk(await api.deposit(userId, '100.00'));
  // Past seq 9: the walk must order seqs as numbers (10 after 9), not as text.
  for (let step = 0; step < 8; step += 1) expectOk(await api.deposit(a, '0.01'));
  const deposit = await api.deposit(a, '25.25');
  expectOk(deposit);
  const transfer = await api.transfer(a, b, '30.10');
  expectOk(transfer);
  expectOk(await api.transfer(b, c, '12.34'));
  const captured = await api.hold(a, c, '20.00');
  expectOk(captured, 201);
  expectOk(await api.capture(captured.json.hold_id as string, '15.00'));
  const voided = await api.hold(b, a, '5.55');
  expectOk(voided, 201);
  expectOk(await api.void(voided.json.hold_id as string));
  expectOk(await api.hold(c, b, '7.77'), 201);
  expectOk(
    await api.reverseTransfer(transfer.json.transfer_id as string, {
      amount: '10.00',
      reason: 'sent twice ✓\nline',
    }),
  );
  expectOk(await api.reverseDeposit(deposit.json.transaction_id as string, { amount: '5.25' }));
  expectOk(await api.withdraw(b, '3.21'));
  expectOk(await api.withdraw(c, '1.00'));
  return {
    userIds,
    depositId: deposit.json.transaction_id as string,
    transferId: transfer.json.transfer_id as string,
  };
}

/** Runs `plant` (SQL an attacker with table rights could run) and the audit in one transaction, then rolls it back. */
export async function auditWithPlanted(
  pool: pg.Pool,
  namespace: string,
  plant: (client: pg.PoolClient) => Promise<void>,
): Promise<AuditResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE transactions DISABLE TRIGGER transactions_append_only');
    await plant(client);
    return await auditOnClient(client, namespace);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/** Recomputes a wallet's chain with the SQL function and sets its ledger_hash: a careful rewrite. */
export async function rehashWallet(client: pg.PoolClient, userId: string): Promise<void> {
  await client.query(
    `CREATE OR REPLACE FUNCTION pg_temp.rehash_wallet(p_user uuid) RETURNS void LANGUAGE plpgsql AS $$
     DECLARE r record; v_prev text := repeat('0', 64);
     BEGIN
       FOR r IN SELECT * FROM transactions WHERE user_id = p_user ORDER BY wallet_seq LOOP
         v_prev := ledger_row_hash(v_prev, r.user_id, r.wallet_seq, r.id, r.kind,
           r.balance_change, r.old_balance, r.new_balance, r.held_change, r.old_held, r.new_held,
           r.transfer_id, r.counterparty_id, r.hold_id, r.reverses_id, r.reason, r."timestamp");
         UPDATE transactions SET hash = v_prev WHERE id = r.id;
       END LOOP;
       UPDATE users SET ledger_hash = v_prev WHERE user_id = p_user;
     END $$`,
  );
  await client.query('SELECT pg_temp.rehash_wallet($1::uuid)', [userId]);
}

export function kindsOf(findings: AuditFinding[]): string[] {
  return [...new Set(findings.map((finding) => finding.kind))].sort();
}
