import { stackStatus } from '../../../../scripts/stack/index.ts';
import { EXIT_CODES } from '../../exit-codes.ts';
import { type DoctorCheck, fail, ok, skip, warn } from './doctor-check.ts';

/** undici 8 and ink 8 need Node 22; the repo brings Node 24 (devDependency `node`). */
export const NODE_MAJOR_MIN = 22;
export const NODE_MAJOR_TARGET = 24;

const REPO_NODE_ADVICE =
  'use the Node the repo brings: run `npx wallet …` from the repo, or export PATH="$PWD/node_modules/.bin:$PATH"';

export function checkNode(version: string = process.versions.node): DoctorCheck {
  const major = Number(version.split('.')[0]);
  if (major < NODE_MAJOR_MIN) {
    return fail(
      'node',
      `Node ${version} is too old (needs ${NODE_MAJOR_MIN}+)`,
      REPO_NODE_ADVICE,
      EXIT_CODES.usage,
    );
  }
  if (major < NODE_MAJOR_TARGET) {
    return warn(
      'node',
      `Node ${version} works; Node ${NODE_MAJOR_TARGET} is what the project runs on`,
      REPO_NODE_ADVICE,
    );
  }
  return ok('node', `Node ${version}`);
}

/**
 * The local stack (PostgreSQL, NATS, Kafka) that `npm start` or `wallet stack up` ran in
 * `stackDir`. When there is none but the services or Kafka were named by flag or env, the
 * platform runs elsewhere and this check does not apply.
 */
export async function checkStack(stackDir: string, addressesGiven: boolean): Promise<DoctorCheck> {
  const status = await stackStatus({ dir: stackDir });
  if (!status.stateFile) {
    if (addressesGiven) return skip('stack', `no local stack in ${stackDir}; using the addresses given`);
    return fail(
      'stack',
      `no stack in ${stackDir}`,
      'run `npm start` (everything) or `npx wallet stack up` (PostgreSQL, NATS, Kafka only)',
      EXIT_CODES.unavailable,
    );
  }
  const parts = { PostgreSQL: status.postgres, NATS: status.nats, Kafka: status.kafka };
  const down = Object.entries(parts).filter(([, part]) => !part.up);
  if (down.length > 0) {
    const names = down.map(([name, part]) => `${name}${part.address ? ` (${part.address})` : ''}`);
    return fail(
      'stack',
      `down: ${names.join(', ')}`,
      'run `npm start` again (it starts what is down), or `npx wallet stack up`; `npx wallet stack status` shows each part',
      EXIT_CODES.unavailable,
    );
  }
  return ok('stack', `PostgreSQL, NATS and Kafka up (${stackDir})`);
}
