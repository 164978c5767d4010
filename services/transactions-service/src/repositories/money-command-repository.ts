import type { PoolClient } from '../../../shared/src/db/pool.ts';
import { formatMinor, numericToMinor } from '../../../shared/src/money.ts';

/** How a money command ended, as the SQL functions (migrations 002, 003) report it. */
export const MONEY_COMMAND_VERDICTS = [
  'done',
  'replayed',
  'key_reused',
  'wallet_not_found',
  'insufficient_funds',
  'balance_limit_exceeded',
  'wallet_frozen',
  'wallet_closed',
  'wallet_not_empty',
  'hold_not_found',
  'hold_not_pending',
  'hold_expired',
  'capture_exceeds_hold',
  'transfer_not_found',
  'deposit_not_found',
  'reversal_exceeds_original',
] as const;
export type MoneyCommandVerdict = (typeof MONEY_COMMAND_VERDICTS)[number];

export type MoneyCommandResult = {
  verdict: MoneyCommandVerdict;
  /** done and replayed: the HTTP status stored with the response. */
  statusCode: number | null;
  /** done and replayed: the response body, as stored under the idempotency key. */
  response: unknown;
  /** Refusals: the wallet the refusal is about. */
  userId: string | null;
  /** insufficient_funds: the available balance; reversal_exceeds_original: what remains; capture_exceeds_hold: the hold. */
  balanceMinor: bigint | null;
  /** hold_not_pending, hold_expired: the hold's status. */
  detail: string | null;
};

/** The idempotency key of a command; `key` null when the request came without one. */
export type KeyClaim = { scope: string; key: string | null; requestHash: string };
/** The outbox event a command writes; its payload is built in SQL from the balances. */
export type OutboxEventHeading = { eventId: string; topic: string; headers: Record<string, string> };

/** One argument of a money function and the SQL type it is cast to. */
export type SqlArgument = [value: string | number | bigint | null, type: 'text' | 'uuid' | 'int' | 'jsonb'];

type ResultRecord = {
  verdict: string;
  status_code: number | null;
  response: unknown;
  user_id: string | null;
  balance: string | null;
  detail: string | null;
};

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
    detail: row.detail,
  };
}

/** One call of a money function: the key claim, the function's own arguments, the event, the status. */
export type MoneyFunctionCall = {
  fn: string;
  claim: KeyClaim;
  args: SqlArgument[];
  event: OutboxEventHeading;
  statusCode: number;
};

/**
 * Every command function takes the key claim first and the outbox event and success status last
 * (callMoneyBatch lays them out the same way).
 */
function allArguments(call: MoneyFunctionCall): SqlArgument[] {
  return [
    [call.claim.scope, 'text'],
    [call.claim.key, 'text'],
    [call.claim.requestHash, 'text'],
    ...call.args,
    [call.event.eventId, 'uuid'],
    [call.event.topic, 'text'],
    [JSON.stringify(call.event.headers), 'jsonb'],
    [call.statusCode, 'int'],
  ];
}

const sqlValue = ([value]: SqlArgument) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * Runs one money command in one statement: `SELECT … FROM <fn>(key claim…, args…, event…, status)`,
 * so a command names only its own arguments. Named, so each connection parses and plans it once.
 */
export async function callMoneyFunction(
  client: PoolClient,
  call: MoneyFunctionCall,
): Promise<MoneyCommandResult> {
  const all = allArguments(call);
  const placeholders = all.map(([, type], index) => `$${index + 1}::${type}`).join(', ');
  const { rows } = await client.query<ResultRecord>({
    name: call.fn,
    text: `SELECT verdict, status_code, response, user_id::text, balance::text, detail
             FROM ${call.fn}(${placeholders})`,
    values: all.map(sqlValue),
  });
  return toResult(rows);
}

/**
 * Runs several money commands in one transaction of one statement (run_money_batch, migration
 * 006), each with its own result, in the order given. Arguments travel as one JSON array, in the
 * functions' parameter order; the batch function casts them as the lone call's placeholders do.
 */
export async function callMoneyBatch(
  client: PoolClient,
  calls: (MoneyFunctionCall & { wallets: string[] })[],
): Promise<MoneyCommandResult[]> {
  const commands = calls.map((call) => ({
    fn: call.fn,
    wallets: call.wallets,
    args: [
      call.claim.scope,
      call.claim.key,
      call.claim.requestHash,
      ...call.args.map(sqlValue),
      call.event.eventId,
      call.event.topic,
      call.event.headers,
      call.statusCode,
    ],
  }));
  const { rows } = await client.query<ResultRecord & { ordinal: number }>({
    name: 'run_money_batch',
    text: `SELECT ordinal, verdict, status_code, response, user_id::text, balance::text, detail
             FROM run_money_batch($1::jsonb)`,
    values: [JSON.stringify(commands)],
  });
  return inOrder(rows, calls.length, 'run_money_batch');
}

/** Money as the functions take it: decimal text, NUMERIC on the other side. */
export function moneyArgument(minor: bigint | undefined): SqlArgument {
  return [minor === undefined ? null : formatMinor(minor), 'text'];
}

/**
 * Runs a batch of transfers set-based (run_transfer_batch, migration 008): the same rules and
 * results as transfer_money per command, one statement per table for the whole batch. Every call
 * must be a transfer_money with the batch's scope, topic, status and limit, and no key twice.
 */
export async function callTransferBatch(
  client: PoolClient,
  calls: MoneyFunctionCall[],
): Promise<MoneyCommandResult[]> {
  const [first] = calls;
  if (!first) return [];
  const column = (position: number) => calls.map((call) => sqlValue(call.args[position]!));
  const { rows } = await client.query<ResultRecord & { ordinal: number }>({
    name: 'run_transfer_batch',
    text: `SELECT ordinal, verdict, status_code, response, user_id::text, balance::text, detail
             FROM run_transfer_batch($1::text, $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[],
                                     $7::text[], $8::text, $9::uuid[], $10::text, $11::jsonb[], $12::int)`,
    values: [
      first.claim.scope,
      calls.map((call) => call.claim.key),
      calls.map((call) => call.claim.requestHash),
      column(0),
      column(1),
      column(2),
      column(3),
      sqlValue(first.args[4]!),
      calls.map((call) => call.event.eventId),
      first.event.topic,
      calls.map((call) => JSON.stringify(call.event.headers)),
      first.statusCode,
    ],
  });
  return inOrder(rows, calls.length, 'run_transfer_batch');
}

/** A transfer batch's calls agree on what run_transfer_batch takes once for all of them. */
export function isTransferBatch(calls: MoneyFunctionCall[]): boolean {
  const [first] = calls;
  return (
    first !== undefined &&
    calls.every(
      (call) =>
        call.fn === 'transfer_money' &&
        call.args.length === 5 &&
        call.claim.scope === first.claim.scope &&
        call.event.topic === first.event.topic &&
        call.statusCode === first.statusCode &&
        call.args[4]![0] === first.args[4]![0],
    )
  );
}

function inOrder(
  rows: (ResultRecord & { ordinal: number })[],
  count: number,
  fn: string,
): MoneyCommandResult[] {
  if (rows.length !== count) throw new Error(`${fn} answered ${rows.length} results for ${count} commands`);
  return rows.map((row, index) => {
    if (row.ordinal !== index) throw new Error(`${fn} answered out of order at ${index}`);
    return toResult([row]);
  });
}
