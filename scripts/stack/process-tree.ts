/**
 * Processes as /proc shows them: a process and its descendants, their states, one signal to many
 * at once. The chaos faults on the single PostgreSQL (faults.ts) and on Patroni nodes
 * (ha/faults.ts) share it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const pollMs = 50;

/** `root` and all its descendants, from /proc, parents before children. */
export function processTree(root: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = readStat(pid)?.parentPid;
    if (parent === undefined) continue;
    const siblings = childrenOf.get(parent) ?? [];
    siblings.push(pid);
    childrenOf.set(parent, siblings);
  }
  const tree = [root];
  for (let at = 0; at < tree.length; at += 1) tree.push(...(childrenOf.get(tree[at]!) ?? []));
  return tree;
}

/** State letter (R, S, T, Z, …), or undefined once the process is gone. */
export function processState(pid: number): string | undefined {
  return readStat(pid)?.state;
}

/** One tight loop, so no process (of a PostgreSQL, of a Patroni node) outlives the others by more than microseconds. */
export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Zombies count as gone: the machine's init may reap them late or never. */
export async function waitUntilDead(pids: number[], timeoutMs: number, what: string): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  const alive = () => pids.filter((pid) => !['Z', 'X', undefined].includes(processState(pid)));
  while (alive().length > 0) {
    if (Date.now() > deadlineMs) throw new Error(`${what}: pids ${alive().join(', ')} survived SIGKILL`);
    await sleep(pollMs);
  }
}

function readStat(pid: number): { state: string; parentPid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields after its last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', parentPid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}
