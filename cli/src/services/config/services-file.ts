import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * `<stack dir>/services.json`: where `npm start` (scripts/start.ts) runs the two services, so the
 * CLI finds them without flags. Removed again when `npm start` stops.
 */
export const SERVICES_FILE_NAME = 'services.json';

/**
 * One process of a service run as several (`npm start -- --replicas N`) behind a load balancer:
 * the top-level URLs are then the balancer's, and these the replicas' own, for per-replica health.
 */
const serviceReplicaSchema = z.object({
  service: z.enum(['user-service', 'transactions-service']),
  /** e.g. "user-service-1" */
  name: z.string().min(1),
  url: z.string().url(),
  pid: z.number().int().optional(),
});
export type ServiceReplica = z.infer<typeof serviceReplicaSchema>;

const servicesFileSchema = z.object({
  userServiceUrl: z.string().url(),
  transactionsServiceUrl: z.string().url(),
  pids: z.object({ userService: z.number().int(), transactionsService: z.number().int() }).optional(),
  startedAt: z.string().optional(),
  /** Absent when each service runs once: the top-level URLs are then the services themselves. */
  replicas: z.array(serviceReplicaSchema).optional(),
});
export type ServicesFile = z.infer<typeof servicesFileSchema>;

export function servicesFilePath(stackDir: string): string {
  return join(stackDir, SERVICES_FILE_NAME);
}

/** The file's content, or undefined when there is none or it is unreadable (never fatal: defaults apply). */
export function readServicesFile(stackDir: string): ServicesFile | undefined {
  const file = servicesFilePath(stackDir);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = servicesFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written via a rename so a concurrent reader never sees half a file. */
export function writeServicesFile(stackDir: string, content: ServicesFile): void {
  mkdirSync(stackDir, { recursive: true });
  const file = servicesFilePath(stackDir);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(partial, file);
}

export function removeServicesFile(stackDir: string): void {
  rmSync(servicesFilePath(stackDir), { force: true });
}
