import { Kafka, logLevel } from 'kafkajs';
import { withinTimeout } from '../../../../services/shared/src/within-timeout.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { type DoctorCheck, fail, ok } from './doctor-check.ts';

/** Connecting and one metadata round trip; a broker that takes longer is as good as down here. */
export const KAFKA_PROBE_TIMEOUT_MS = 5_000;

/**
 * Whether `wallet events` and the dashboard can read Kafka: an admin client connects to the
 * brokers and asks for the cluster's metadata, with no retries (kafkajs would otherwise retry
 * for half a minute before saying no).
 */
export async function checkKafka(brokers: string[] | undefined): Promise<DoctorCheck> {
  if (!brokers || brokers.length === 0) {
    return fail(
      'kafka',
      'no Kafka brokers known (no --kafka-brokers, no KAFKA_BROKERS, no stack state)',
      'run `npm start`, or pass --kafka-brokers host:port',
      EXIT_CODES.unavailable,
    );
  }
  const admin = new Kafka({
    clientId: 'wallet-doctor',
    brokers,
    connectionTimeout: KAFKA_PROBE_TIMEOUT_MS,
    requestTimeout: KAFKA_PROBE_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    const cluster = await withinTimeout(
      admin.connect().then(() => admin.describeCluster()),
      KAFKA_PROBE_TIMEOUT_MS,
    );
    return ok('kafka', `${cluster.brokers.length} broker(s) at ${brokers.join(',')}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(
      'kafka',
      `Kafka at ${brokers.join(',')} is not reachable: ${reason}`,
      '`npx wallet stack status` shows whether Kafka runs; `npm start` starts it; or pass --kafka-brokers host:port',
      EXIT_CODES.unavailable,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
