import { randomUUID } from 'node:crypto';
import { isCliError } from '../../cli-error.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { addMoney } from '../money/add-money.ts';
import { moneyText } from '../money/money-json.ts';
import { transferMoney } from '../money/transfer-money.ts';
import type { DashboardStore, StatusMessage } from './dashboard-store.ts';

/** What the dashboard's forms can do; the new balances arrive through Kafka like anyone's. */
export type DashboardActions = {
  addMoney(user: string, amount: string): Promise<void>;
  transfer(from: string, to: string, amount: string): Promise<void>;
};

export function createDashboardActions(apis: WalletApis, store: DashboardStore): DashboardActions {
  const run = async (pending: string, work: () => Promise<string>) => {
    store.setStatus({ kind: 'info', text: pending });
    store.setStatus(await work().then(ok, failed));
  };
  return {
    addMoney: (user, amount) =>
      run(`adding ${amount} to ${user}…`, async () => {
        const result = await addMoney(apis, { user, amount, idempotencyKey: randomUUID() });
        return `added ${moneyText(result.amountMinor)} to ${result.user.email}: balance ${moneyText(result.balanceMinor)}`;
      }),
    transfer: (from, to, amount) =>
      run(`transferring ${amount}…`, async () => {
        const result = await transferMoney(apis, { from, to, amount, idempotencyKey: randomUUID() });
        return `transferred ${moneyText(result.amountMinor)} from ${result.source.email} to ${result.target.email}`;
      }),
  };
}

function ok(text: string): StatusMessage {
  return { kind: 'ok', text };
}

function failed(error: unknown): StatusMessage {
  if (isCliError(error)) return { kind: 'error', text: `${error.code}: ${error.message}` };
  return { kind: 'error', text: error instanceof Error ? error.message : String(error) };
}
