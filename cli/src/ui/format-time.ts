/** "2026-11-25 16:54:08": the ISO time without the T, the millis and the Z (it is UTC). */
export function shortTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** "16:54:08" (UTC), for feeds where the day is today. */
export function clockTime(iso: string): string {
  return shortTime(iso).slice(11);
}
