import { inject } from 'vitest';
import type { StackState } from '../../scripts/stack/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The stack test/global-setup.ts started for this run. */
    stack: StackState;
  }
}

/** The run's PostgreSQL, NATS and Kafka settings. Shared by all files: isolate inside it. */
export function getStack(): StackState {
  const stack = inject('stack');
  if (!stack) throw new Error('no stack injected: run tests through vitest with test/global-setup.ts');
  return stack;
}
