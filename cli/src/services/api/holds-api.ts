import {
  type HoldStatus,
  holdPageSchema,
  holdResponseSchema,
  holdSchema,
} from '../../../../services/shared/src/contracts/transactions-api.ts';
import type { HttpClient } from '../http/http-client.ts';
import { moneyText, numberToMinor } from '../money/money-json.ts';
import { type Hold, holdOf, type Page, type SenderBalances, senderBalancesOf } from './transactions-views.ts';

/** A hold command's answer: the hold, the sender's balances after it, and for a capture the receiver's. */
export type HoldResult = {
  hold: Hold;
  sender: SenderBalances;
  /** Capture only: the receiver's balance after the money landed. */
  toBalanceMinor: bigint | null;
  replayed: boolean;
};

export type NewHold = {
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  /** Omitted: the service's default (15 minutes). */
  expiresInSeconds?: number;
};

/** The holds endpoints of transactions-service: reserve, capture, void, read. */
export function createHoldsApi(http: HttpClient, baseUrl: string) {
  const service = 'transactions-service' as const;

  async function postHold(path: string, body: unknown, idempotencyKey: string): Promise<HoldResult> {
    const response = await http.send(
      { service, baseUrl, method: 'POST', path, body, idempotencyKey },
      holdResponseSchema,
    );
    const { body: answer } = response;
    return {
      hold: holdOf(answer),
      sender: senderBalancesOf(answer),
      toBalanceMinor: answer.to_balance === undefined ? null : numberToMinor(answer.to_balance),
      replayed: response.replayed,
    };
  }

  const holdPath = (holdId: string, action: string) => `holds/${encodeURIComponent(holdId)}/${action}`;

  return {
    async createHold(hold: NewHold, idempotencyKey: string): Promise<HoldResult> {
      const body = {
        from_user_id: hold.fromUserId,
        to_user_id: hold.toUserId,
        amount: moneyText(hold.amountMinor),
        ...(hold.expiresInSeconds === undefined ? {} : { expires_in_seconds: hold.expiresInSeconds }),
      };
      return postHold('holds', body, idempotencyKey);
    },

    /** All of the hold when `amountMinor` is undefined; the rest of a partial capture is released. */
    async captureHold(
      holdId: string,
      amountMinor: bigint | undefined,
      idempotencyKey: string,
    ): Promise<HoldResult> {
      const body = amountMinor === undefined ? {} : { amount: moneyText(amountMinor) };
      return postHold(holdPath(holdId, 'capture'), body, idempotencyKey);
    },

    async voidHold(holdId: string, idempotencyKey: string): Promise<HoldResult> {
      return postHold(holdPath(holdId, 'void'), {}, idempotencyKey);
    },

    async getHold(holdId: string): Promise<Hold> {
      const response = await http.send(
        { service, baseUrl, method: 'GET', path: `holds/${encodeURIComponent(holdId)}` },
        holdSchema,
      );
      return holdOf(response.body);
    },

    /** Holds the user sends or receives, newest first. */
    async listHolds(query: {
      userId: string;
      status?: HoldStatus;
      limit: number;
      cursor?: string;
    }): Promise<Page<Hold>> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'GET',
          path: 'holds',
          query: { user_id: query.userId, status: query.status, limit: query.limit, cursor: query.cursor },
        },
        holdPageSchema,
      );
      return { items: response.body.holds.map(holdOf), nextCursor: response.body.next_cursor };
    },
  };
}
