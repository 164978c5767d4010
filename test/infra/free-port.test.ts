import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../../scripts/stack/ports.ts';

/** The first port the kernel hands to outgoing connections (Linux; this suite runs there). */
function ephemeralLow(): number {
  return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
}

describe('findFreePort', () => {
  it('given the kernel ephemeral range, when ports are found, then each lies below it, where no outgoing connection can take it, and can be listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => findFreePort()));

    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralLow());
      const server = createServer();
      await new Promise<void>((listening, failed) => {
        server.once('error', failed);
        server.listen(port, '127.0.0.1', listening);
      });
      await new Promise((closed) => server.close(closed));
    }
  });
});
