import { expect } from 'vitest';
import type { WalletView } from '../../services/shared/src/contracts/transactions-api.ts';
import { call, type HttpResult } from '../support/index.ts';
import type { TransactionsServiceFixture } from './transactions-service-harness.ts';

/** The HTTP calls of docs/money-operations.md, against one replica, with the operator token. */
export function moneyClient(tx: TransactionsServiceFixture, url = () => tx.service.url) {
  const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
    call(url(), 'POST', path, { json, headers });
  return {
    deposit: (userId: string, amount: number | string) => post('/addMoney', { user_id: userId, amount }),
    withdraw: (userId: string, amount: number | string, headers?: Record<string, string>) =>
      post('/withdrawMoney', { user_id: userId, amount }, headers),
    transfer: (from: string, to: string, amount: number | string) =>
      post('/transferMoney', { from_user_id: from, to_user_id: to, amount }),
    hold: (from: string, to: string, amount: number | string, expiresInSeconds?: number) =>
      post('/holds', { from_user_id: from, to_user_id: to, amount, expires_in_seconds: expiresInSeconds }),
    capture: (holdId: string, amount?: number | string, headers?: Record<string, string>) =>
      post(`/holds/${holdId}/capture`, amount === undefined ? {} : { amount }, headers),
    void: (holdId: string) => post(`/holds/${holdId}/void`, {}),
    getHold: (holdId: string) => call(url(), 'GET', `/holds/${holdId}`),
    reverseTransfer: (transferId: string, body: { amount?: number | string; reason?: string } = {}) =>
      post(`/transfers/${transferId}/reverse`, body),
    reverseDeposit: (transactionId: string, body: { amount?: number | string; reason?: string } = {}) =>
      post(`/deposits/${transactionId}/reverse`, body),
    setStatus: (userId: string, action: 'freeze' | 'unfreeze' | 'close', reason?: string) =>
      post(`/wallets/${userId}/${action}`, reason === undefined ? {} : { reason }),
    wallet: async (userId: string) => {
      const response = await call(url(), 'GET', `/wallets/${userId}`);
      expect(response.status, response.text).toBe(200);
      return response.json as WalletView;
    },
  };
}

export function expectOk(response: HttpResult, status = 200): void {
  expect(response.status, response.text).toBe(status);
}

export function expectProblem(response: HttpResult, status: number, code: string): void {
  expect([response.status, response.json?.code], response.text).toEqual([status, code]);
  expect(response.headers['content-type']).toContain('application/problem+json');
}
