import type { Key } from 'ink';

export const INPUT_LENGTH_MAX = 254;

/** One keystroke applied to a single-line text field; pure, so forms and the filter share it. */
export function editText(value: string, input: string, key: Key): string {
  if (key.backspace || key.delete) return value.slice(0, -1);
  if (key.ctrl || key.meta || key.tab || key.return || key.escape) return value;
  if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown)
    return value;
  // Pasted text arrives as one string; keep printable characters only.
  const printable = [...input].filter((char) => char >= ' ' && char !== '\u007f').join('');
  return (value + printable).slice(0, INPUT_LENGTH_MAX);
}
