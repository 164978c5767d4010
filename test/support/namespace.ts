import { randomBytes } from 'node:crypto';

/**
 * A short random prefix (letters and digits, starting with a letter) that a test file passes as
 * WALLET_NAMESPACE to the services, so its Kafka topics, consumer groups and NATS subjects never
 * meet another file's. Valid in Kafka topic names, NATS subject tokens and SQL identifiers.
 */
export function uniqueNamespace(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(7);
  let suffix = '';
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length];
  return `t${suffix}`;
}
