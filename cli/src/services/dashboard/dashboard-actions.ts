import { randomUUID } from 'node:crypto';
import { isCliError } from '../../cli-error.ts';
import type { WalletApis } from '../api/wallet-apis.ts';
import { createHold } from '../money/hold-money.ts';
import { moneyText } from '../money/money-json.ts';
import { transferMoney } from '../money/transfer-money.ts';
import { moveWalletMoney } from '../money/wallet-money.ts';
import type { DashboardStore, StatusMessage } from './dashboard-store.ts';
import { createHoldLookups } from './hold-lookups.ts';

/** What the dashboard can ask of the services; the new balances arrive through Kafka like anyone's. */
export type DashboardActions = {
  addMoney(user: string, amount: string): Promise<void>;
  withdraw(user: string, amount: string): Promise<void>;
  transfer(from: string, to: string, amount: string): Promise<void>;
  /** `expires` as `wallet hold --expires` takes it ("15m"); empty: the service's default. */
  hold(from: string, to: string, amount: string, expires: string): Promise<void>;
  /** The open-holds view shows these wallets: fetch their pending holds (once each). */
  lookUpHolds(userIds: readonly string[]): void;
};

export function createDashboardActions(
  apis: WalletApis,
  store: DashboardStore,
  signal?: AbortSignal,
): DashboardActions {
  const run = async (pending: string, work: () => Promise<string>) => {
    store.setStatus({ kind: 'info', text: pending });
    store.setStatus(await work().then(ok, failed));
  };
  const holdLookups = createHoldLookups(apis, store, signal);
  return {
    addMoney: (user, amount) =>
      run(`adding ${amount} to ${user}…`, async () => {
        const result = await moveWalletMoney(apis, 'deposit', { user, amount, idempotencyKey: randomUUID() });
        return `added ${moneyText(result.amountMinor)} to ${result.user.email}: balance ${moneyText(result.balanceMinor)}`;
      }),
    withdraw: (user, amount) =>
      run(`withdrawing ${amount} from ${user}…`, async () => {
        const result = await moveWalletMoney(apis, 'withdrawal', {
          user,
          amount,
          idempotencyKey: randomUUID(),
        });
        return `withdrew ${moneyText(result.amountMinor)} from ${result.user.email}: balance ${moneyText(result.balanceMinor)}`;
      }),
    transfer: (from, to, amount) =>
      run(`transferring ${amount}…`, async () => {
        const result = await transferMoney(apis, { from, to, amount, idempotencyKey: randomUUID() });
        return `transferred ${moneyText(result.amountMinor)} from ${result.source.email} to ${result.target.email ?? result.target.user_id}`;
      }),
    hold: (from, to, amount, expires) =>
      run(`holding ${amount}…`, async () => {
        const result = await createHold(apis, {
          from,
          to,
          amount,
          ...(expires === '' ? {} : { expires }),
          idempotencyKey: randomUUID(),
        });
        return (
          `held ${moneyText(result.hold.amountMinor)} of ${result.source.email} for ${result.target.email}` +
          ` (hold ${result.hold.holdId}): available ${moneyText(result.sender.availableMinor)}`
        );
      }),
    lookUpHolds: (userIds) => holdLookups.lookUp(userIds),
  };
}

function ok(text: string): StatusMessage {
  return { kind: 'ok', text };
}

function failed(error: unknown): StatusMessage {
  if (isCliError(error)) return { kind: 'error', text: `${error.code}: ${error.message}` };
  return { kind: 'error', text: error instanceof Error ? error.message : String(error) };
}
