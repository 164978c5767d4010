import {
  depositReversalResponseSchema,
  transferReversalResponseSchema,
} from '../../../../services/shared/src/contracts/transactions-api.ts';
import type { HttpClient } from '../http/http-client.ts';
import { moneyText, numberToMinor } from '../money/money-json.ts';

/** What to reverse: all that remains when `amountMinor` is undefined. */
export type ReversalRequest = { amountMinor?: bigint; reason?: string };

/** Money went back from the original receiver (`from…`) to the original sender (`to…`). */
export type TransferReversal = {
  reversalId: string;
  transferId: string;
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  reversedTotalMinor: bigint;
  remainingMinor: bigint;
  fromBalanceMinor: bigint;
  toBalanceMinor: bigint;
  fromAvailableMinor: bigint;
  replayed: boolean;
};

export type DepositReversal = {
  reversalId: string;
  transactionId: string;
  userId: string;
  amountMinor: bigint;
  reversedTotalMinor: bigint;
  remainingMinor: bigint;
  balanceMinor: bigint;
  availableMinor: bigint;
  replayed: boolean;
};

function reversalBody(request: ReversalRequest): Record<string, string> {
  return {
    ...(request.amountMinor === undefined ? {} : { amount: moneyText(request.amountMinor) }),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
  };
}

/** The reversal endpoints of transactions-service (operator only). */
export function createReversalsApi(http: HttpClient, baseUrl: string) {
  const service = 'transactions-service' as const;
  return {
    async reverseTransfer(
      transferId: string,
      request: ReversalRequest,
      idempotencyKey: string,
    ): Promise<TransferReversal> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'POST',
          path: `transfers/${encodeURIComponent(transferId)}/reverse`,
          body: reversalBody(request),
          idempotencyKey,
        },
        transferReversalResponseSchema,
      );
      const { body } = response;
      return {
        reversalId: body.reversal_id,
        transferId: body.transfer_id,
        fromUserId: body.from_user_id,
        toUserId: body.to_user_id,
        amountMinor: numberToMinor(body.amount),
        reversedTotalMinor: numberToMinor(body.reversed_total),
        remainingMinor: numberToMinor(body.remaining),
        fromBalanceMinor: numberToMinor(body.from_balance),
        toBalanceMinor: numberToMinor(body.to_balance),
        fromAvailableMinor: numberToMinor(body.from_available_balance),
        replayed: response.replayed,
      };
    },

    async reverseDeposit(
      transactionId: string,
      request: ReversalRequest,
      idempotencyKey: string,
    ): Promise<DepositReversal> {
      const response = await http.send(
        {
          service,
          baseUrl,
          method: 'POST',
          path: `deposits/${encodeURIComponent(transactionId)}/reverse`,
          body: reversalBody(request),
          idempotencyKey,
        },
        depositReversalResponseSchema,
      );
      const { body } = response;
      return {
        reversalId: body.reversal_id,
        transactionId: body.transaction_id,
        userId: body.user_id,
        amountMinor: numberToMinor(body.amount),
        reversedTotalMinor: numberToMinor(body.reversed_total),
        remainingMinor: numberToMinor(body.remaining),
        balanceMinor: numberToMinor(body.updated_balance),
        availableMinor: numberToMinor(body.available_balance),
        replayed: response.replayed,
      };
    },
  };
}
