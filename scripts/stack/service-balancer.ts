import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HaproxyInstance, haproxyLayout, startHaproxy, stopHaproxy } from './haproxy.ts';
import {
  type BalancedService,
  balancerErrorResponses,
  serviceBalancerConfig,
} from './service-balancer-config.ts';

export type { BalancedService } from './service-balancer-config.ts';

const balancerName = 'services';

/** HAProxy in front of the service replicas, in `<dir>/haproxy-services/`. */
export async function startServiceBalancer(options: {
  dir: string;
  services: BalancedService[];
  log: (line: string) => void;
}): Promise<HaproxyInstance> {
  const errorsDir = join(haproxyLayout(options.dir, balancerName).root, 'errors');
  mkdirSync(errorsDir, { recursive: true });
  const errorFiles = {} as Record<'502' | '503' | '504', string>;
  for (const [status, response] of Object.entries(balancerErrorResponses())) {
    const file = join(errorsDir, `${status}.http`);
    writeFileSync(file, response);
    errorFiles[status as keyof typeof errorFiles] = file;
  }
  return startHaproxy({
    dir: options.dir,
    name: balancerName,
    config: serviceBalancerConfig({ services: options.services, errorFiles }),
    log: options.log,
  });
}

export function stopServiceBalancer(dir: string): Promise<void> {
  return stopHaproxy(dir, balancerName);
}
