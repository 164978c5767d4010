/** The bench's progress lines, stamped with the time of day so a slow step shows in the log. */
export const benchLog = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
