import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';
import { withPostgresClient } from '../../scripts/stack/postgres-client.ts';
import { numericToMinor } from '../../services/shared/src/money.ts';
import type { LedgerRow, OutboxRow, Snapshot, TransactionKind } from './history.ts';

const KAFKA_READ_TIMEOUT_MS = 60_000;

type LedgerRecord = {
  id: string;
  seq: string;
  user_id: string;
  kind: TransactionKind;
  balance_change: string;
  old_balance: string;
  new_balance: string;
  transfer_id: string | null;
  idempotency_key: string | null;
};

type OutboxRecord = { event_id: string; topic: string; published_at: string | null };

async function readOutbox(client: pg.Client, service: OutboxRow['service']): Promise<OutboxRow[]> {
  const { rows } = await client.query<OutboxRecord>(
    'SELECT event_id::text, topic, published_at::text FROM outbox ORDER BY seq',
  );
  return rows.map((row) => ({
    service,
    eventId: row.event_id,
    topic: row.topic,
    publishedAt: row.published_at,
  }));
}

/** Both services' databases as they are now, money as exact minor units. */
export async function readSnapshot(urls: { users: string; transactions: string }): Promise<Snapshot> {
  const fromUsers = await withPostgresClient(urls.users, async (client) => {
    const users = await client.query<{ user_id: string; email: string }>(
      'SELECT user_id::text, email FROM users',
    );
    return {
      users: users.rows.map((row) => ({ userId: row.user_id, email: row.email })),
      outbox: await readOutbox(client, 'users'),
    };
  });
  return withPostgresClient(urls.transactions, async (client) => {
    const wallets = await client.query<{ user_id: string; balance: string }>(
      'SELECT user_id::text, balance::text FROM users',
    );
    const ledger = await client.query<LedgerRecord>(
      `SELECT id::text, seq::text, user_id::text, kind, balance_change::text, old_balance::text,
              new_balance::text, transfer_id::text, idempotency_key
         FROM transactions ORDER BY seq`,
    );
    return {
      users: fromUsers.users,
      wallets: wallets.rows.map((row) => ({
        userId: row.user_id,
        balanceMinor: numericToMinor(row.balance),
      })),
      transactions: ledger.rows.map(toLedgerRow),
      outbox: [...fromUsers.outbox, ...(await readOutbox(client, 'transactions'))],
    };
  });
}

function toLedgerRow(row: LedgerRecord): LedgerRow {
  return {
    id: row.id,
    seq: BigInt(row.seq),
    userId: row.user_id,
    kind: row.kind,
    balanceChangeMinor: numericToMinor(row.balance_change),
    oldBalanceMinor: numericToMinor(row.old_balance),
    newBalanceMinor: numericToMinor(row.new_balance),
    transferId: row.transfer_id,
    idempotencyKey: row.idempotency_key,
  };
}

/**
 * Reads every record of `topics` from the beginning (a fresh consumer group) and returns their
 * `event-id` headers. Stops as soon as every id in `expected` was seen, or at the timeout (then
 * the checker reports what is missing).
 */
export async function readKafkaEventIds(
  brokers: string[],
  topics: string[],
  expected: ReadonlySet<string>,
): Promise<Set<string>> {
  const kafka = new Kafka({ clientId: 'chaos-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomUUID()}` });
  const seen = new Set<string>();
  let missing = expected.size;
  let done: () => void = () => {};
  const allSeen = new Promise<void>((resolveSeen) => {
    done = resolveSeen;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.['event-id']?.toString();
        if (id === undefined || seen.has(id)) return;
        seen.add(id);
        if (expected.has(id) && --missing === 0) done();
      },
    });
    if (missing > 0)
      await Promise.race([
        allSeen,
        new Promise((resolveLater) => setTimeout(resolveLater, KAFKA_READ_TIMEOUT_MS)),
      ]);
    return seen;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

/** Unpublished outbox rows in both databases: the run is quiet when this is 0 and stays 0. */
export async function countUnpublished(urls: { users: string; transactions: string }): Promise<number> {
  let count = 0;
  for (const url of [urls.users, urls.transactions]) {
    count += await withPostgresClient(url, async (client) => {
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*)::text AS count FROM outbox WHERE published_at IS NULL',
      );
      return Number(rows[0]?.count ?? 0);
    });
  }
  return count;
}

/** Users without a wallet yet (wallets open from user-created events). */
export async function countUsersWithoutWallet(urls: {
  users: string;
  transactions: string;
}): Promise<number> {
  const userIds = await withPostgresClient(urls.users, async (client) => {
    const { rows } = await client.query<{ user_id: string }>('SELECT user_id::text FROM users');
    return rows.map((row) => row.user_id);
  });
  return withPostgresClient(urls.transactions, async (client) => {
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM unnest($1::uuid[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM users w WHERE w.user_id = u.id)',
      [userIds],
    );
    return Number(rows[0]?.count ?? 0);
  });
}
