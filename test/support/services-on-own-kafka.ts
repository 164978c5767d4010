import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, stopKafka } from '../../scripts/stack/kafka.ts';
import { type BothServices, startBothServices } from './services.ts';

export type ServicesOnOwnKafka = {
  /** The broker's stack dir: startKafka/stopKafka/kafkaPid take it. */
  dir: string;
  brokers: string[];
  services: BothServices;
  /** Stops both services, then the broker, and removes its dir. */
  stop(): Promise<void>;
};

/**
 * Both services on a Kafka broker of the test file's own, so the file may stop, kill and start it
 * again without disturbing the other files on the run's shared broker.
 */
export async function startServicesOnOwnKafka(
  label: string,
  overrides: Record<string, string> = {},
): Promise<ServicesOnOwnKafka> {
  const dir = mkdtempSync(join(tmpdir(), `wallet-${label}-`));
  const stopBroker = async () => {
    await stopKafka(dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { brokers } = await startKafka({ dir, log: () => {} });
    const services = await startBothServices(label, { ...overrides, KAFKA_BROKERS: brokers.join(',') });
    return {
      dir,
      brokers,
      services,
      async stop() {
        await services.stop();
        await stopBroker();
      },
    };
  } catch (error) {
    await stopBroker();
    throw error;
  }
}
