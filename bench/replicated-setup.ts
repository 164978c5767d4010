import { type ServiceProcessSpec, serviceUrl } from '../scripts/service-process.ts';
import { startPgbouncer, stopPgbouncer } from '../scripts/stack/pgbouncer.ts';
import { findFreePort } from '../scripts/stack/ports.ts';
import { startServiceBalancer, stopServiceBalancer } from '../scripts/stack/service-balancer.ts';
import type { Services } from './bench-setup.ts';
import type { ServiceName } from './compiled-services.ts';
import { createReplicatedService } from './replicated-service.ts';
import { createServiceProcess, type ServiceProcess } from './service-process.ts';

/** Where a replica reaches its database; `migrationUrl` is the direct one, when the url is PgBouncer's. */
export type ReplicaDatabase = { url: string; migrationUrl?: string };

/** The process spec of one replica, as bench-setup.ts runs every service process. */
export type ReplicaSpec = (
  service: ServiceName,
  replica: { name: string; database: ReplicaDatabase; cpuProfile: boolean },
) => Promise<ServiceProcessSpec>;

/** What runs in front of the replicas; each stop is a no-op once stopped, or if never started. */
export type ServiceFront = { stopBalancer(): Promise<void>; stopPooler(): Promise<void> };

/**
 * `npm run bench -- --replicas N`, shaped as `npm start -- --replicas N` runs the platform: N
 * processes of each service on free ports, HAProxy in front of them (one frontend per service,
 * the URL the load generator uses) and PgBouncer in transaction pooling between them and the
 * stack's PostgreSQL. HAProxy's and PgBouncer's files live in `dir`, inside the run's own work dir.
 * On a failure half-way, whatever started is stopped before the error goes on.
 */
export async function startReplicatedServices(options: {
  replicas: number;
  dir: string;
  /** The stack's PostgreSQL, directly. */
  databases: { users: string; transactions: string };
  processSpec: ReplicaSpec;
  log: (line: string) => void;
}): Promise<Services> {
  const { dir, log } = options;
  const front: ServiceFront = {
    stopBalancer: () => stopServiceBalancer(dir),
    stopPooler: () => stopPgbouncer(dir),
  };
  const started: ServiceProcess[] = [];
  try {
    const pooler = await startPgbouncer({ dir, upstream: options.databases, log });
    const replicasOf = async (service: ServiceName, database: ReplicaDatabase) => {
      const replicas: { name: string; port: number; replica: ServiceProcess }[] = [];
      for (let index = 1; index <= options.replicas; index++) {
        const name = `${service}-${index}`;
        // One profile is enough to read where the time goes, and N would slow every replica.
        const cpuProfile = service === 'transactions-service' && index === 1;
        const spec = await options.processSpec(service, { name, database, cpuProfile });
        const replica = createServiceProcess(spec);
        started.push(replica);
        replicas.push({ name, port: spec.port, replica });
      }
      return replicas;
    };
    const transactions = await replicasOf('transactions-service', {
      url: pooler.databases.transactions,
      migrationUrl: options.databases.transactions,
    });
    const users = await replicasOf('user-service', {
      url: pooler.databases.users,
      migrationUrl: options.databases.users,
    });
    const ports = { transactions: await findFreePort(), users: await findFreePort() };
    const services: Services = {
      'transactions-service': createReplicatedService({
        url: serviceUrl(ports.transactions),
        replicas: transactions.map(({ replica }) => replica),
      }),
      'user-service': createReplicatedService({
        url: serviceUrl(ports.users),
        replicas: users.map(({ replica }) => replica),
      }),
      front,
    };
    // transactions-service first, as with one replica: it creates the topics the other reads.
    await services['transactions-service'].start();
    await services['user-service'].start();
    const balanced = (name: ServiceName, port: number, replicas: typeof users) => ({
      name,
      port,
      replicas: replicas.map(({ name, port }) => ({ name, port })),
    });
    await startServiceBalancer({
      dir,
      services: [
        balanced('transactions-service', ports.transactions, transactions),
        balanced('user-service', ports.users, users),
      ],
      log,
    });
    return services;
  } catch (error) {
    await front.stopBalancer().catch(() => {});
    await Promise.all(started.map((replica) => replica.stop()));
    await front.stopPooler().catch(() => {});
    throw error;
  }
}
