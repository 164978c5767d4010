/**
 * Runs `deleteBatch` (one DELETE of at most `batchSize` rows, returning how many went) until a
 * batch comes back short or `batchesMax` batches ran: a long backlog goes in short transactions,
 * and one pass stays bounded (the next pass continues where it stopped). Returns the total.
 */
export async function deleteInBatches(
  limits: { batchSize: number; batchesMax: number },
  deleteBatch: (batchSize: number) => Promise<number>,
): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < limits.batchesMax; batch++) {
    const count = await deleteBatch(limits.batchSize);
    deleted += count;
    if (count < limits.batchSize) break;
  }
  return deleted;
}
