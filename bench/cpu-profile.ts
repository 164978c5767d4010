import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile we read. */
type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
};
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type FrameShare = { frame: string; selfPercent: number };

export const TOP_FRAMES_SHOWN = 20;

/** Where a script lives, short: "pg-protocol", "node:internal/…", "services/shared/…". */
function origin(url: string): string {
  if (url === '') return '(native/V8)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return url;
  const inRepo = /\/((?:services|bench|scripts|cli)\/.*)$/.exec(url);
  return inRepo ? inRepo[1]! : url;
}

/**
 * Native frames (socket writes, hashing) have no script of their own; they are charged to the
 * nearest calling frame that lives in a package or in our code, which says who asked for them.
 */
function nativeCaller(id: number, nodes: Map<number, ProfileNode>, parents: Map<number, number>): string {
  for (let current = parents.get(id); current !== undefined; current = parents.get(current)) {
    const url = nodes.get(current)?.callFrame.url ?? '';
    if (/node_modules|\/(services|cli)\//.test(url)) return origin(url);
  }
  return '(no package caller)';
}

/** Self time per function and per package, as shares of all samples (idle excluded). */
export function summarizeCpuProfile(file: string): {
  frames: FrameShare[];
  packages: FrameShare[];
  nativeCallers: FrameShare[];
  idlePercent: number;
} {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byNativeCaller = new Map<string, number>();
  const selfSamples = new Map<number, number>();
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  const byFrame = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, count] of selfSamples) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idle += count;
      continue;
    }
    busy += count;
    const name = `${frame.functionName || '(anonymous)'} ${origin(frame.url)}:${frame.lineNumber + 1}`;
    byFrame.set(name, (byFrame.get(name) ?? 0) + count);
    if (frame.url === '' && !frame.functionName.startsWith('(')) {
      const caller = `${frame.functionName} ← ${nativeCaller(id, nodes, parents)}`;
      byNativeCaller.set(caller, (byNativeCaller.get(caller) ?? 0) + count);
    }
    const where = frame.url === '' ? frame.functionName : origin(frame.url);
    byPackage.set(where, (byPackage.get(where) ?? 0) + count);
  }
  const shares = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((left, right) => right[1] - left[1])
      .slice(0, TOP_FRAMES_SHOWN)
      .map(([frame, count]) => ({ frame, selfPercent: (100 * count) / Math.max(1, busy) }));
  return {
    frames: shares(byFrame),
    packages: shares(byPackage),
    nativeCallers: shares(byNativeCaller),
    idlePercent: (100 * idle) / Math.max(1, idle + busy),
  };
}
