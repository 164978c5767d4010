import type { ServiceProcess } from './service-process.ts';

/**
 * N replicas of one service seen as the one service the load generator talks to: its URL is the
 * balancer's, so bench/main.ts measures the replicated service exactly as it measures a single
 * process. The balancer itself is not started here: one HAProxy fronts both services
 * (service-front.ts), and it must go before the replicas stop and after they start.
 */
export function createReplicatedService(options: {
  url: string;
  replicas: ServiceProcess[];
}): ServiceProcess {
  const { replicas } = options;
  return {
    url: options.url,
    async start() {
      // Migrations take a session lock on their direct connection, so replicas may start together.
      await Promise.all(replicas.map((replica) => replica.start()));
    },
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop()));
    },
    rssMb() {
      // The largest replica, not the sum: the memory target is about what one process needs.
      const readings = replicas.flatMap((replica) => replica.rssMb() ?? []);
      if (readings.length === 0) return undefined;
      return {
        currentMb: Math.max(...readings.map((reading) => reading.currentMb)),
        peakMb: Math.max(...readings.map((reading) => reading.peakMb)),
      };
    },
  };
}
