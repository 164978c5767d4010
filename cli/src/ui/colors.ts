import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colour only for a person at a terminal: never when the stream is not a TTY, when NO_COLOR is
 * set (any value, per no-color.org) or when --no-color was given.
 */
export function colorsEnabled(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  flag: boolean,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

export function createColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
