import type { z } from 'zod';
import {
  addMoneyResponseSchema,
  type TransactionView,
  transactionPageSchema,
  transferMoneyResponseSchema,
  walletPageSchema,
  walletSchema,
} from '../../../../services/shared/src/contracts/transactions-api.ts';
import type { HttpClient } from '../http/http-client.ts';
import { moneyText, numberToMinor } from '../money/money-json.ts';
import { probeReady } from './users-api.ts';

export type Deposit = { transactionId: string; userId: string; balanceMinor: bigint; replayed: boolean };
export type Transfer = {
  transferId: string;
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  fromBalanceMinor: bigint;
  toBalanceMinor: bigint;
  replayed: boolean;
};
export type Transaction = {
  id: string;
  userId: string;
  kind: TransactionView['kind'];
  changeMinor: bigint;
  oldBalanceMinor: bigint;
  newBalanceMinor: bigint;
  transferId: string | null;
  counterpartyId: string | null;
  timestamp: string;
};
export type Wallet = { userId: string; balanceMinor: bigint; createdAt: string };
export type Page<T> = { items: T[]; nextCursor: string | null };

function walletOf(row: z.infer<typeof walletSchema>): Wallet {
  return { userId: row.user_id, balanceMinor: numberToMinor(row.balance), createdAt: row.created_at };
}

/** transactions-service over HTTP. Amounts leave as exact decimal text ("12.50"), never as a double. */
export function createTransactionsApi(http: HttpClient, baseUrl: string) {
  const service = 'transactions-service' as const;
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
        replayed: response.replayed,
      };
    },

    async transferMoney(
      fromUserId: string,
      toUserId: string,
      amountMinor: bigint,
      idempotencyKey: string,
    ): Promise<Transfer> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'POST',
          path: 'transferMoney',
          body: { from_user_id: fromUserId, to_user_id: toUserId, amount: moneyText(amountMinor) },
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
        toBalanceMinor: numberToMinor(body.to_balance),
        replayed: response.replayed,
      };
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
      return {
        items: response.body.transactions.map((row) => ({
          id: row.id,
          userId: row.user_id,
          kind: row.kind,
          changeMinor: numberToMinor(row.balance_change),
          oldBalanceMinor: numberToMinor(row.old_balance),
          newBalanceMinor: numberToMinor(row.new_balance),
          transferId: row.transfer_id,
          counterpartyId: row.counterparty_id,
          timestamp: row.timestamp,
        })),
        nextCursor: response.body.next_cursor,
      };
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

    async isReady(): Promise<boolean> {
      return probeReady(http, service, baseUrl);
    },
  };
}

export type TransactionsApi = ReturnType<typeof createTransactionsApi>;
