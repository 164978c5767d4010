import { errorFor } from '../error-advice.ts';
import type { CliSettings } from '../services/config/cli-settings.ts';

/** The Kafka brokers, or a KAFKA_UNAVAILABLE error that says how to name them. */
export function requireBrokers(settings: CliSettings): string[] {
  if (settings.kafkaBrokers && settings.kafkaBrokers.length > 0) return settings.kafkaBrokers;
  throw errorFor(
    'KAFKA_UNAVAILABLE',
    `no Kafka brokers known: no --kafka-brokers, no KAFKA_BROKERS and no stack state in ${settings.stackDir}`,
  );
}
