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
async function callMoneyBatch(
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
 * The commands that batch set-based (migration 008): their batch function, and the SQL array
 * types of their per-command arguments. The last argument, the balance limit, is one for all.
 */
const SET_BATCHES: Record<string, { batchFn: string; argTypes: string[] }> = {
  transfer_money: { batchFn: 'run_transfer_batch', argTypes: ['uuid', 'uuid', 'uuid', 'text'] },
  add_money: { batchFn: 'run_deposit_batch', argTypes: ['uuid', 'uuid', 'text'] },
};

/** The batch function that takes these calls set-based, when they agree on what it takes once. */
function setBatchOf(calls: MoneyFunctionCall[]) {
  const [first] = calls;
  const batch = first && SET_BATCHES[first.fn];
  if (!batch) return undefined;
  const limitAt = batch.argTypes.length;
  const agree = calls.every(
    (call) =>
      call.fn === first.fn &&
      call.args.length === limitAt + 1 &&
      call.claim.scope === first.claim.scope &&
      call.event.topic === first.event.topic &&
      call.statusCode === first.statusCode &&
      call.args[limitAt]![0] === first.args[limitAt]![0],
  );
  return agree ? { ...batch, first, limitAt } : undefined;
}

/**
 * Commits a batch in one statement: transfers or deposits set-based (run_transfer_batch,
 * run_deposit_batch: the same rules and results per command as transfer_money and add_money, one
 * statement per table for the whole batch), anything else through run_money_batch. A batch never
 * carries one key twice (the batcher sees to it).
 */
export function commitMoneyBatch(
  client: PoolClient,
  calls: (MoneyFunctionCall & { wallets: string[] })[],
): Promise<MoneyCommandResult[]> {
  const batch = setBatchOf(calls);
  if (!batch) return callMoneyBatch(client, calls);
  const { batchFn, argTypes, first, limitAt } = batch;
  const perCommand = argTypes.map((type, position) => ({
    type: `${type}[]`,
    value: calls.map((call) => sqlValue(call.args[position]!)),
  }));
  const parameters = [
    { type: 'text', value: first.claim.scope },
    { type: 'text[]', value: calls.map((call) => call.claim.key) },
    { type: 'text[]', value: calls.map((call) => call.claim.requestHash) },
    ...perCommand,
    { type: 'text', value: sqlValue(first.args[limitAt]!) },
    { type: 'uuid[]', value: calls.map((call) => call.event.eventId) },
    { type: 'text', value: first.event.topic },
    { type: 'jsonb[]', value: calls.map((call) => JSON.stringify(call.event.headers)) },
    { type: 'int', value: first.statusCode },
  ];
  const placeholders = parameters.map(({ type }, index) => `$${index + 1}::${type}`).join(', ');
  return client
    .query<ResultRecord & { ordinal: number }>({
      name: batchFn,
      text: `SELECT ordinal, verdict, status_code, response, user_id::text, balance::text, detail
               FROM ${batchFn}(${placeholders})`,
      values: parameters.map(({ value }) => value),
    })
    .then(({ rows }) => inOrder(rows, calls.length, batchFn));
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
