import { REQUEST_ID_HEADER } from '../../../shared/src/contracts/events.ts';
import { userByEmailReplySchema, userByEmailSubject } from '../../../shared/src/contracts/nats.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { type NatsConnection, NatsRequestError, requestJson } from '../../../shared/src/messaging/nats.ts';
import type { NatsConnectionState } from '../../../shared/src/messaging/nats-connection-state.ts';

/** How long a transfer by email waits for user-service to say whom the email names. */
export const USER_BY_EMAIL_TIMEOUT_MS = 2_000;

/** The user id an email names, or undefined when it names nobody; a defined 503 when user-service does not answer. */
export type FindUserIdByEmail = (email: string, requestId: string) => Promise<string | undefined>;

/**
 * Asks user-service (which owns emails) over NATS request-reply; this service keeps no emails.
 * Every outcome is defined: the id, undefined, or SERVICE_UNAVAILABLE — never a hang.
 */
export function createUserByEmailClient(options: {
  nc: NatsConnection;
  natsState: NatsConnectionState;
  namespace: string;
  timeoutMs?: number;
}): FindUserIdByEmail {
  const subject = userByEmailSubject(options.namespace);
  const timeoutMs = options.timeoutMs ?? USER_BY_EMAIL_TIMEOUT_MS;
  return async (email, requestId) => {
    if (!options.natsState.isConnected()) {
      throw new AppError('SERVICE_UNAVAILABLE', 'the connection to NATS is down: cannot look up the payee');
    }
    let raw: unknown;
    try {
      raw = await requestJson(
        options.nc,
        subject,
        { email },
        { timeoutMs, headers: { [REQUEST_ID_HEADER]: requestId } },
      );
    } catch (error) {
      // A reply that is not JSON, or a NATS error requestJson does not classify: still a defined 503.
      const reason = error instanceof NatsRequestError ? error.reason : 'failed';
      throw new AppError('SERVICE_UNAVAILABLE', `user-service did not look up the payee (${reason})`);
    }
    const reply = userByEmailReplySchema.safeParse(raw);
    if (!reply.success) throw new AppError('SERVICE_UNAVAILABLE', 'user-service sent an invalid payee reply');
    if (reply.data.ok) return reply.data.user_id.toLowerCase();
    if (reply.data.code === 'USER_NOT_FOUND') return undefined;
    throw new AppError('SERVICE_UNAVAILABLE', `user-service answered ${reply.data.code} to the payee lookup`);
  };
}
