import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { findFreePort } from '../ports.ts';
import { etcdMemberCount, haLayout, nodeName } from './layout.ts';

export type EtcdMemberPorts = { name: string; clientPort: number; peerPort: number };
export type PatroniNodePorts = { name: string; pgPort: number; restPort: number };
export type HaPorts = { etcd: EtcdMemberPorts[]; nodes: PatroniNodePorts[]; haproxy: number };

export type EtcdMemberState = EtcdMemberPorts & { pid: number };
export type PatroniNodeState = PatroniNodePorts & { pid: number };

/** Like the single node's PostgresState (same URLs, same role and databases), plus the cluster. */
export type HaPostgresState = {
  adminUrl: string;
  databases: { users: string; transactions: string };
  /** HAProxy's read-write port: always the current leader. */
  port: number;
  managed: true;
  nodes: PatroniNodeState[];
  etcd: { members: EtcdMemberState[] };
  haproxyPid: number;
};

export type HaSecrets = { superuser: string; replication: string; rewind: string };

/**
 * Ports are kept across restarts: an etcd member's peer URL is part of the cluster's membership
 * in its data, and a Patroni node's address is what the others stream from.
 */
export async function ensurePorts(dir: string, nodeCount: number): Promise<HaPorts> {
  const file = haLayout(dir).portsFile;
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HaPorts) : undefined;
  if (previous && previous.nodes.length === nodeCount) return previous;
  const taken = new Set<number>();
  // findFreePort only checks that a port is free now: two picks in a row may be the same port.
  const pick = async (): Promise<number> => {
    for (;;) {
      const port = await findFreePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const ports: HaPorts = {
    // A changed node count keeps the etcd cluster: its members' peer URLs are in its data.
    etcd:
      previous?.etcd ??
      (await sequence(etcdMemberCount, async (index) => ({
        name: `etcd${index + 1}`,
        clientPort: await pick(),
        peerPort: await pick(),
      }))),
    nodes: await sequence(nodeCount, async (index) => {
      const kept = previous?.nodes[index];
      return kept ?? { name: nodeName(index), pgPort: await pick(), restPort: await pick() };
    }),
    haproxy: previous?.haproxy ?? (await pick()),
  };
  writeJson(file, ports);
  return ports;
}

export function readPorts(dir: string): HaPorts | undefined {
  const file = haLayout(dir).portsFile;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HaPorts) : undefined;
}

export function ensureSecrets(dir: string): HaSecrets {
  const file = haLayout(dir).secretsFile;
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as HaSecrets;
  // Hex only, so no password needs escaping in a URL, in YAML or in a pgpass line.
  const secret = () => randomBytes(18).toString('hex');
  const secrets = { superuser: secret(), replication: secret(), rewind: secret() };
  writeJson(file, secrets);
  return secrets;
}

export function readHaState(dir: string): HaPostgresState | undefined {
  const file = haLayout(dir).stateFile;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HaPostgresState) : undefined;
}

export function writeHaState(dir: string, state: HaPostgresState): void {
  writeJson(haLayout(dir).stateFile, state);
}

export function removeHaState(dir: string): void {
  rmSync(haLayout(dir).stateFile, { force: true });
}

/** Through a rename, so a reader never sees half a file; mode 600, as some hold passwords. */
function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

async function sequence<T>(count: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const items: T[] = [];
  for (let index = 0; index < count; index += 1) items.push(await make(index));
  return items;
}
