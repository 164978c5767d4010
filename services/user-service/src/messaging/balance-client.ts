import type { FastifyBaseLogger } from 'fastify';
import { REQUEST_ID_HEADER } from '../../../shared/src/contracts/events.ts';
import { balanceReplySchema, balanceSubject } from '../../../shared/src/contracts/nats.ts';
import type { WalletStatus } from '../../../shared/src/contracts/transactions-api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { type NatsConnection, NatsRequestError, requestJson } from '../../../shared/src/messaging/nats.ts';
import type { NatsConnectionState } from '../../../shared/src/messaging/nats-connection-state.ts';
import { BALANCE_MAX_MINOR, numericToMinor } from '../../../shared/src/money.ts';

export type BalanceRequestOptions = {
  nc: NatsConnection;
  natsState: NatsConnectionState;
  namespace: string;
  timeoutMs: number;
  log: FastifyBaseLogger;
  onResult?: (result: string, seconds: number) => void;
};

/** A wallet's balances in minor units, as transactions-service reports them. */
export type WalletBalances = { balanceMinor: bigint; heldMinor: bigint; status: WalletStatus };

/**
 * Asks transactions-service for a wallet's balances over NATS request-reply. Every outcome is
 * a defined answer: the balances in minor units, or an AppError with a 503 code — never a hang.
 */
export async function requestWalletBalances(
  options: BalanceRequestOptions,
  request: { userId: string; requestId: string },
): Promise<WalletBalances> {
  const startedMs = performance.now();
  const finish = (result: string) => options.onResult?.(result, (performance.now() - startedMs) / 1000);
  if (!options.natsState.isConnected()) {
    finish('disconnected');
    throw new AppError('BALANCE_SERVICE_UNAVAILABLE', 'the connection to NATS is down');
  }
  let raw: unknown;
  try {
    raw = await onNextTurn(() =>
      requestJson(
        options.nc,
        balanceSubject(options.namespace),
        { user_id: request.userId },
        { timeoutMs: options.timeoutMs, headers: { [REQUEST_ID_HEADER]: request.requestId } },
      ),
    );
  } catch (error) {
    finish(error instanceof NatsRequestError ? error.reason : 'error');
    throw requestFailure(error, options);
  }
  const balances = readReply(raw, request.userId, options.log);
  finish(balances instanceof AppError ? balances.code : 'ok');
  if (balances instanceof AppError) throw balances;
  return balances;
}

const pendingSends: Array<() => void> = [];

/**
 * Runs `send` at the next turn of the event loop, together with every other balance request made
 * before then. nats.js writes what is published within one task as one socket write, so requests
 * from several HTTP requests leave in one write instead of one each: fewer syscalls here, and fewer
 * reads and wake-ups in nats-server and in the responder, which then also answers them together.
 */
function onNextTurn<T>(send: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    pendingSends.push(() => send().then(resolve, reject));
    if (pendingSends.length === 1) {
      setImmediate(() => {
        for (const next of pendingSends.splice(0)) next();
      });
    }
  });
}

function requestFailure(error: unknown, options: BalanceRequestOptions): AppError {
  if (error instanceof NatsRequestError && error.reason === 'timeout') {
    return new AppError(
      'BALANCE_SERVICE_TIMEOUT',
      `transactions-service did not answer within ${options.timeoutMs} ms`,
    );
  }
  if (error instanceof NatsRequestError && error.reason === 'no-responders') {
    return new AppError(
      'BALANCE_SERVICE_UNAVAILABLE',
      'no transactions-service is answering balance requests',
    );
  }
  if (!(error instanceof NatsRequestError)) {
    // A reply that is not JSON, or a NATS error we do not classify: still a defined 503.
    options.log.warn({ err: error }, 'balance request failed');
  }
  return new AppError('BALANCE_SERVICE_UNAVAILABLE', 'the balance request could not be completed');
}

/** Validates the reply; anything off-contract is logged and answered as unavailable. */
function readReply(raw: unknown, userId: string, log: FastifyBaseLogger): WalletBalances | AppError {
  const parsed = balanceReplySchema.safeParse(raw);
  if (!parsed.success) {
    log.error({ reply: raw, issues: parsed.error.issues }, 'invalid balance reply from transactions-service');
    return new AppError('BALANCE_SERVICE_UNAVAILABLE', 'transactions-service sent an invalid reply');
  }
  const reply = parsed.data;
  if (!reply.ok) {
    if (reply.code === 'WALLET_NOT_FOUND') {
      return new AppError('WALLET_PENDING', 'the wallet is being opened; retry shortly');
    }
    log.warn({ code: reply.code }, 'transactions-service refused the balance request');
    return new AppError('BALANCE_SERVICE_UNAVAILABLE', `transactions-service answered ${reply.code}`);
  }
  if (reply.user_id !== userId) {
    log.error({ reply, userId }, 'balance reply for another user');
    return new AppError('BALANCE_SERVICE_UNAVAILABLE', 'transactions-service sent an invalid reply');
  }
  try {
    const balanceMinor = numericToMinor(reply.balance);
    const heldMinor = numericToMinor(reply.held);
    if (balanceMinor > BALANCE_MAX_MINOR) throw new RangeError(`balance above the maximum: ${reply.balance}`);
    if (heldMinor > balanceMinor)
      throw new RangeError(`held ${reply.held} above the balance ${reply.balance}`);
    if (numericToMinor(reply.available_balance) !== balanceMinor - heldMinor) {
      throw new RangeError(`available ${reply.available_balance} is not balance − held`);
    }
    return { balanceMinor, heldMinor, status: reply.status };
  } catch (error) {
    log.error({ err: error, reply }, 'balance reply out of range');
    return new AppError('BALANCE_SERVICE_UNAVAILABLE', 'transactions-service sent an invalid reply');
  }
}
