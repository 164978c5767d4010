import type { PoolClient } from '../../../shared/src/db/pool.ts';
import { formatMinor, numericToMinor } from '../../../shared/src/money.ts';

/** How a money command ended, as the SQL functions of migration 002 report it. */
export const MONEY_COMMAND_VERDICTS = [
  'done',
  'replayed',
  'key_reused',
  'wallet_not_found',
  'insufficient_funds',
  'balance_limit_exceeded',
] as const;
export type MoneyCommandVerdict = (typeof MONEY_COMMAND_VERDICTS)[number];

export type MoneyCommandResult = {
  verdict: MoneyCommandVerdict;
  /** done and replayed: the HTTP status stored with the response. */
  statusCode: number | null;
  /** done and replayed: the response body, as stored under the idempotency key. */
  response: unknown;
  /** wallet_not_found: the user without a wallet. */
  userId: string | null;
  /** insufficient_funds: the sender's balance. */
  balanceMinor: bigint | null;
};

/** The idempotency key of a command; `key` null when the request came without one. */
export type KeyClaim = { scope: string; key: string | null; requestHash: string };
/** The outbox event a command writes; its payload is built in SQL from the balances. */
export type OutboxEventHeading = { eventId: string; topic: string; headers: Record<string, string> };

type ResultRecord = {
  verdict: string;
  status_code: number | null;
  response: unknown;
  user_id: string | null;
  balance: string | null;
};

const RESULT_COLUMNS = 'verdict, status_code, response, user_id::text, balance::text';

function toResult(rows: ResultRecord[]): MoneyCommandResult {
  const row = rows[0];
  if (!row) throw new Error('money command function returned no row');
  const verdict = MONEY_COMMAND_VERDICTS.find((known) => known === row.verdict);
  if (!verdict) throw new Error(`money command function returned an unknown verdict: ${row.verdict}`);
  return {
    verdict,
    statusCode: row.status_code,
    // jsonb comes back parsed: money in it is a JSON number, exactly as the stored response has it.
    response: row.response,
    userId: row.user_id,
    balanceMinor: row.balance === null ? null : numericToMinor(row.balance),
  };
}

/**
 * One deposit in one statement (function add_money): claim the key, lock the wallet, check the
 * limit, move the money, write the ledger row and the outbox event, store the response.
 * Named, so each connection parses and plans it once.
 */
export async function callAddMoney(
  client: PoolClient,
  command: {
    claim: KeyClaim;
    transactionId: string;
    userId: string;
    amountMinor: bigint;
    balanceMaxMinor: bigint;
    event: OutboxEventHeading;
    statusCode: number;
  },
): Promise<MoneyCommandResult> {
  const { rows } = await client.query<ResultRecord>({
    name: 'add-money',
    text: `SELECT ${RESULT_COLUMNS}
             FROM add_money($1::text, $2::text, $3::text, $4::uuid, $5::uuid, $6::text, $7::text,
                            $8::uuid, $9::text, $10::jsonb, $11::int)`,
    values: [
      command.claim.scope,
      command.claim.key,
      command.claim.requestHash,
      command.transactionId,
      command.userId,
      formatMinor(command.amountMinor),
      formatMinor(command.balanceMaxMinor),
      command.event.eventId,
      command.event.topic,
      JSON.stringify(command.event.headers),
      command.statusCode,
    ],
  });
  return toResult(rows);
}

/**
 * One transfer in one statement (function transfer_money): claim the key, lock both wallets in
 * user_id order, check funds and limit, move the money with a ledger row per wallet, write the
 * outbox event, store the response.
 */
export async function callTransferMoney(
  client: PoolClient,
  command: {
    claim: KeyClaim;
    transferId: string;
    fromUserId: string;
    toUserId: string;
    amountMinor: bigint;
    balanceMaxMinor: bigint;
    event: OutboxEventHeading;
    statusCode: number;
  },
): Promise<MoneyCommandResult> {
  const { rows } = await client.query<ResultRecord>({
    name: 'transfer-money',
    text: `SELECT ${RESULT_COLUMNS}
             FROM transfer_money($1::text, $2::text, $3::text, $4::uuid, $5::uuid, $6::uuid, $7::text,
                                 $8::text, $9::uuid, $10::text, $11::jsonb, $12::int)`,
    values: [
      command.claim.scope,
      command.claim.key,
      command.claim.requestHash,
      command.transferId,
      command.fromUserId,
      command.toUserId,
      formatMinor(command.amountMinor),
      formatMinor(command.balanceMaxMinor),
      command.event.eventId,
      command.event.topic,
      JSON.stringify(command.event.headers),
      command.statusCode,
    ],
  });
  return toResult(rows);
}
