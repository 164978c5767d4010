import { join } from 'node:path';

export const etcdMemberCount = 3;
export const defaultNodeCount = 2;
export const haproxyName = 'postgres-rw';

/** Everything of the HA PostgreSQL lives under `<stack dir>/ha`, apart from the other parts. */
export function haLayout(dir: string) {
  const root = join(dir, 'ha');
  return {
    root,
    stateFile: join(root, 'state.json'),
    secretsFile: join(root, 'secrets.json'),
    portsFile: join(root, 'ports.json'),
  };
}

/** 0-based index, as in `killEtcdMember(dir, index)`. */
export function etcdMemberLayout(dir: string, index: number) {
  const name = `etcd${index + 1}`;
  const root = join(haLayout(dir).root, name);
  return {
    name,
    root,
    data: join(root, 'data'),
    logFile: join(root, 'etcd.log'),
    pidFile: join(root, 'etcd.pid'),
  };
}

export function patroniNodeLayout(dir: string, name: string) {
  const root = join(haLayout(dir).root, name);
  return {
    name,
    root,
    data: join(root, 'data'),
    configFile: join(root, 'patroni.yml'),
    // Patroni's own log and, through its inherited stderr, the postmaster's.
    logFile: join(root, 'patroni.log'),
    pidFile: join(root, 'patroni.pid'),
    pgpassFile: join(root, 'pgpass'),
    socketDir: join(root, 'run'),
  };
}

export function nodeName(index: number): string {
  return `pg${index + 1}`;
}
