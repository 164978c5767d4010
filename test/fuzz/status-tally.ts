import { afterEach, expect } from 'vitest';

/**
 * Status counts of the current property (cleared after each test), to show it reached the
 * routes' validation and not only 404s.
 */
export function tallyStatuses() {
  const statuses = new Map<number, number>();
  afterEach(() => {
    statuses.clear();
  });
  return {
    record(status: number): void {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    },
    expectValidationReached(): void {
      expect([...statuses.keys()], JSON.stringify(Object.fromEntries(statuses))).toContain(400);
    },
  };
}
