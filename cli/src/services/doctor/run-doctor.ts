import type { CliSettings } from '../config/cli-settings.ts';
import { type DoctorCheck, reportExitCode } from './doctor-check.ts';
import { checkKafka } from './kafka-check.ts';
import { checkNode, checkStack } from './local-checks.ts';
import { checkClock, checkService, type ServiceTarget } from './service-checks.ts';

export type DoctorReport = { ok: boolean; exitCode: number; checks: DoctorCheck[] };

/**
 * Everything a newcomer gets wrong, in the order to fix it: the Node running the CLI, the local
 * stack, each service reachable and ready, the token accepted by each, Kafka for events, and the
 * clocks. Never throws: every problem is a check with advice.
 */
export async function runDoctor(
  settings: CliSettings,
  options: { addressesGiven: boolean },
): Promise<DoctorReport> {
  const targets: ServiceTarget[] = [
    { name: 'user-service', url: settings.userServiceUrl, probePath: 'users?limit=1' },
    { name: 'transactions-service', url: settings.transactionsServiceUrl, probePath: 'wallets?limit=1' },
  ];
  const [stack, kafka, ...services] = await Promise.all([
    checkStack(settings.stackDir, options.addressesGiven),
    checkKafka(settings.kafkaBrokers),
    ...targets.map((target) => checkService(target, settings.token)),
  ]);
  const checks = [
    checkNode(),
    stack,
    ...services.map((service) => service.readiness),
    ...services.map((service) => service.token),
    kafka,
    checkClock(services.map((service) => service.clockSkewMs)),
  ];
  const exitCode = reportExitCode(checks);
  return { ok: exitCode === 0, exitCode, checks };
}
