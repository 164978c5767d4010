import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { repoRoot } from '../scripts/stack/paths.ts';

export type Machine = {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  /** 1-minute load average when the run started and when it ended: others may share the machine. */
  loadAverage1m: { start: number; end?: number };
};

export type Commit = {
  /** `git rev-parse --short HEAD`, with `-dirty` when the tree differs from it. */
  id: string;
  /** Paths that differ from HEAD (tracked changes and untracked files), bench output excluded. */
  changedPaths: string[];
};

/**
 * The bench's own output: writing it must not mark the next run's commit dirty. A run with
 * --replicas N or --ha writes beside the main results rather than over them, which stay the
 * one-replica, single-server run the targets are about.
 */
const BENCH_OUTPUT = /^bench\/results(-replicas-\d+|-ha)?\.(md|json)$/;

/** The base name of `--ha`'s report, without extension. */
export const HA_RESULTS_NAME = 'results-ha';

/** The report's base name, without extension: `results` or `results-replicas-N`. */
export function resultsName(replicas: number): string {
  return replicas > 1 ? `results-replicas-${replicas}` : 'results';
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

export function readCommit(): Commit {
  try {
    const head = git(['rev-parse', '--short', 'HEAD']).trim();
    const changedPaths = git(['status', '--porcelain'])
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3))
      .filter((path) => !BENCH_OUTPUT.test(path));
    return { id: changedPaths.length > 0 ? `${head}-dirty` : head, changedPaths };
  } catch {
    return { id: 'unknown (no git)', changedPaths: [] };
  }
}

function cpuModel(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
    if (model) return model.trim();
  } catch {
    // not Linux: fall through to what Node knows
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function readMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    loadAverage1m: { start: round2(loadavg()[0] ?? 0) },
  };
}

export function finishMachine(machine: Machine): Machine {
  return { ...machine, loadAverage1m: { ...machine.loadAverage1m, end: round2(loadavg()[0] ?? 0) } };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
