import { describe, expect, it } from 'vitest';
import { newRowId } from '../../services/shared/src/row-ids.ts';

/** The 48-bit millisecond timestamp a UUIDv7 begins with. */
function millisecondsOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('row ids', () => {
  it('Given ids minted past several refills of the random pool, Then each is a distinct RFC 9562 version-7 UUID stamped with the millisecond it was minted in', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, newRowId);
    const after = Date.now();

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
      expect(millisecondsOf(id)).toBeLessThanOrEqual(after);
    }
    // The random part is not repeated from one pool refill to the next (4 KiB, 256 ids apart).
    const randomParts = new Set(ids.map((id) => id.replaceAll('-', '').slice(16)));
    expect(randomParts.size).toBe(ids.length);
  });
});
