import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stackDown, stackUp } from '../scripts/stack/index.ts';
import { hideKnownWarnings } from '../services/shared/src/process/known-warnings.ts';
import { removeStaleTestStacks, testStackOwnerFile, testStackPrefix } from './support/stale-stacks.ts';

// A test stack must never take the ports pinned for a developer's own stack.
const pinnedPortVariables = ['WALLET_PG_PORT', 'WALLET_NATS_PORT', 'WALLET_KAFKA_PORT'];

/**
 * Starts one stack for the whole run in a throwaway dir (durability off), hands its state to
 * the test files (`inject('stack')`, see test/support/stack.ts) and takes it down afterwards.
 * Test files isolate themselves inside it: own databases, own namespace.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  hideKnownWarnings();
  await removeStaleTestStacks();
  for (const name of pinnedPortVariables) delete process.env[name];
  const dir = mkdtempSync(join(tmpdir(), testStackPrefix));
  writeFileSync(testStackOwnerFile(dir), `${process.pid}\n`);
  const startedAtMs = Date.now();
  try {
    const state = await stackUp({ dir, fast: true, log: (line) => console.log(`[stack] ${line}`) });
    console.log(`[stack] ready in ${Date.now() - startedAtMs} ms`);
    project.provide('stack', state);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return async () => {
    await stackDown({ dir });
    rmSync(dir, { recursive: true, force: true });
  };
}
