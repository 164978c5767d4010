import {
  addMoneyResponseSchema,
  balanceAtSchema,
  statementSchema,
  transactionPageSchema,
  transferMoneyResponseSchema,
  walletPageSchema,
  walletSchema,
  withdrawMoneyResponseSchema,
} from '../../../../services/shared/src/contracts/transactions-api.ts';
import type { HttpClient } from '../http/http-client.ts';
import { moneyText, numberToMinor } from '../money/money-json.ts';
import { createHoldsApi } from './holds-api.ts';
import { createReversalsApi } from './reversals-api.ts';
import { type Statement, statementOf } from './statement-views.ts';
import { type Page, type Transaction, transactionOf, type Wallet, walletOf } from './transactions-views.ts';
import { probeReady } from './users-api.ts';

export type { HoldResult, NewHold } from './holds-api.ts';
export type { BalanceAt, KindTotals, Statement, StatementCsv } from './statement-views.ts';

import type { BalanceAt, StatementCsv } from './statement-views.ts';

export type { DepositReversal, ReversalRequest, TransferReversal } from './reversals-api.ts';
export type {
  Hold,
  HoldStatus,
  Page,
  SenderBalances,
  Transaction,
  Wallet,
  WalletStatus,
} from './transactions-views.ts';

export type Deposit = {
  transactionId: string;
  userId: string;
  balanceMinor: bigint;
  availableMinor: bigint;
  replayed: boolean;
};
export type Withdrawal = {
  transactionId: string;
  userId: string;
  amountMinor: bigint;
  balanceMinor: bigint;
  availableMinor: bigint;
  replayed: boolean;
};
export type Transfer = {
  transferId: string;
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  fromBalanceMinor: bigint;
  fromAvailableMinor: bigint;
  /** null when the token is a user's: the payee's balance is not the payer's to see. */
  toBalanceMinor: bigint | null;
  replayed: boolean;
};
/** Whom a transfer pays, as the person named them: the platform resolves an email itself. */
export type Payee = { userId: string } | { email: string };

/** freeze, unfreeze, close: the path segment of POST /wallets/{user_id}/{action}. */
export type WalletStatusAction = 'freeze' | 'unfreeze' | 'close';

/**
 * transactions-service over HTTP. Amounts leave as exact decimal text ("12.50"), never as a double.
 * Every command that changes money or a wallet's status sends an Idempotency-Key.
 */
export function createTransactionsApi(http: HttpClient, baseUrl: string) {
  const service = 'transactions-service' as const;

  async function changeWalletStatus(
    userId: string,
    action: WalletStatusAction,
    reason: string | undefined,
    idempotencyKey: string,
  ): Promise<Wallet> {
    const response = await http.send(
      {
        service,
        baseUrl,
        method: 'POST',
        path: `wallets/${encodeURIComponent(userId)}/${action}`,
        body: reason === undefined ? {} : { reason },
        idempotencyKey,
      },
      walletSchema,
    );
    return walletOf(response.body);
  }

  return {
    async addMoney(userId: string, amountMinor: bigint, idempotencyKey: string): Promise<Deposit> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'POST',
          path: 'addMoney',
          body: { user_id: userId, amount: moneyText(amountMinor) },
          idempotencyKey,
        },
        addMoneyResponseSchema,
      );
      const { body } = response;
      return {
        transactionId: body.transaction_id,
        userId: body.user_id,
        balanceMinor: numberToMinor(body.updated_balance),
        availableMinor: numberToMinor(body.available_balance),
        replayed: response.replayed,
      };
    },

    async withdrawMoney(userId: string, amountMinor: bigint, idempotencyKey: string): Promise<Withdrawal> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'POST',
          path: 'withdrawMoney',
          body: { user_id: userId, amount: moneyText(amountMinor) },
          idempotencyKey,
        },
        withdrawMoneyResponseSchema,
      );
      const { body } = response;
      return {
        transactionId: body.transaction_id,
        userId: body.user_id,
        amountMinor: numberToMinor(body.amount),
        balanceMinor: numberToMinor(body.updated_balance),
        availableMinor: numberToMinor(body.available_balance),
        replayed: response.replayed,
      };
    },

    async transferMoney(
      fromUserId: string,
      payee: Payee,
      amountMinor: bigint,
      idempotencyKey: string,
    ): Promise<Transfer> {
      const to = 'email' in payee ? { to_email: payee.email } : { to_user_id: payee.userId };
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'POST',
          path: 'transferMoney',
          body: { from_user_id: fromUserId, ...to, amount: moneyText(amountMinor) },
          idempotencyKey,
        },
        transferMoneyResponseSchema,
      );
      const { body } = response;
      return {
        transferId: body.transfer_id,
        fromUserId: body.from_user_id,
        toUserId: body.to_user_id,
        amountMinor: numberToMinor(body.amount),
        fromBalanceMinor: numberToMinor(body.from_balance),
        fromAvailableMinor: numberToMinor(body.from_available_balance),
        toBalanceMinor: body.to_balance === undefined ? null : numberToMinor(body.to_balance),
        replayed: response.replayed,
      };
    },

    ...createHoldsApi(http, baseUrl),
    ...createReversalsApi(http, baseUrl),

    /** Stops all money out of the wallet; money in still lands. */
    async freezeWallet(userId: string, reason: string, idempotencyKey: string): Promise<Wallet> {
      return changeWalletStatus(userId, 'freeze', reason, idempotencyKey);
    },

    async unfreezeWallet(
      userId: string,
      reason: string | undefined,
      idempotencyKey: string,
    ): Promise<Wallet> {
      return changeWalletStatus(userId, 'unfreeze', reason, idempotencyKey);
    },

    /** Only at zero balance with no pending hold from or to it (else WALLET_NOT_EMPTY). */
    async closeWallet(userId: string, reason: string | undefined, idempotencyKey: string): Promise<Wallet> {
      return changeWalletStatus(userId, 'close', reason, idempotencyKey);
    },

    async listTransactions(query: {
      userId: string;
      limit: number;
      cursor?: string;
    }): Promise<Page<Transaction>> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'GET',
          path: 'transactions',
          query: { user_id: query.userId, limit: query.limit, cursor: query.cursor },
        },
        transactionPageSchema,
      );
      return { items: response.body.transactions.map(transactionOf), nextCursor: response.body.next_cursor };
    },

    async listWallets(page: { limit: number; cursor?: string }): Promise<Page<Wallet>> {
      const response = await http.send(
        { service, baseUrl, method: 'GET', path: 'wallets', query: page },
        walletPageSchema,
      );
      return { items: response.body.wallets.map(walletOf), nextCursor: response.body.next_cursor };
    },

    async getWallet(userId: string): Promise<Wallet> {
      const response = await http.send(
        { service, baseUrl, method: 'GET', path: `wallets/${encodeURIComponent(userId)}` },
        walletSchema,
      );
      return walletOf(response.body);
    },

    /** The wallet after its last ledger row at or before `at` (RFC 3339). */
    async balanceAt(userId: string, at: string): Promise<BalanceAt> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'GET',
          path: `wallets/${encodeURIComponent(userId)}/balance`,
          query: { at },
        },
        balanceAtSchema,
      );
      const { body } = response;
      return {
        userId: body.user_id,
        at: body.at,
        balanceMinor: numberToMinor(body.balance),
        heldMinor: numberToMinor(body.held),
        availableMinor: numberToMinor(body.available_balance),
        asOfTransactionId: body.as_of_transaction_id,
      };
    },

    async statementPage(query: {
      userId: string;
      from: string;
      to: string;
      limit: number;
      cursor?: string;
    }): Promise<Statement> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'GET',
          path: `wallets/${encodeURIComponent(query.userId)}/statement`,
          query: { from: query.from, to: query.to, limit: query.limit, cursor: query.cursor },
        },
        statementSchema,
      );
      return statementOf(response.body);
    },

    /** The whole period as CSV, as the service streams it; `rows` comes from its x-statement-rows header. */
    async statementCsv(query: { userId: string; from: string; to: string }): Promise<StatementCsv> {
      const response = await http.stream(
        {
          service,
          baseUrl,
          method: 'GET',
          path: `wallets/${encodeURIComponent(query.userId)}/statement`,
          query: { from: query.from, to: query.to, format: 'csv' },
        },
        'text/csv',
      );
      const rows = Number(response.headers['x-statement-rows']);
      return { rows: Number.isSafeInteger(rows) && rows >= 0 ? rows : undefined, body: response.body };
    },

    async isReady(): Promise<boolean> {
      return probeReady(http, service, baseUrl);
    },
  };
}

export type TransactionsApi = ReturnType<typeof createTransactionsApi>;
