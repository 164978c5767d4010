import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { editText } from './text-input.ts';

export type FormKind = 'add-money' | 'withdraw' | 'transfer' | 'hold';

/** At most FORM_FIELDS_MAX (layout.ts) fields each. */
const FIELDS: Record<FormKind, { title: string; labels: string[] }> = {
  'add-money': { title: 'add money', labels: ['user (email or id)', 'amount'] },
  withdraw: { title: 'withdraw', labels: ['user (email or id)', 'amount'] },
  transfer: { title: 'transfer', labels: ['from (email or id)', 'to (email or id)', 'amount'] },
  hold: {
    title: 'hold (reserve now, capture or void later)',
    labels: ['from (email or id)', 'to (email or id)', 'amount', 'expires (empty: 15m)'],
  },
};
const LABEL_WIDTH = 24;

/**
 * A small form: Tab / ↓ to the next field, ↑ back, Enter on the last field submits, Esc cancels.
 * The values go to `onSubmit` as typed; the service checks them and the status line tells.
 */
export function MoneyForm({
  kind,
  onSubmit,
  onCancel,
}: {
  kind: FormKind;
  onSubmit: (values: string[]) => void;
  onCancel: () => void;
}) {
  const { title, labels } = FIELDS[kind];
  const [values, setValues] = useState<string[]>(() => labels.map(() => ''));
  const [active, setActive] = useState(0);
  useInput((input, key) => {
    if (key.escape) return onCancel();
    if (key.return) {
      if (active < labels.length - 1) return setActive(active + 1);
      return onSubmit(values);
    }
    if (key.tab || key.downArrow) return setActive((active + 1) % labels.length);
    if (key.upArrow) return setActive((active - 1 + labels.length) % labels.length);
    setValues(values.map((value, index) => (index === active ? editText(value, input, key) : value)));
  });
  return (
    <Box flexDirection="column">
      <Text bold color="cyan">
        {title}
      </Text>
      {labels.map((label, index) => (
        <Box key={label}>
          <Box width={LABEL_WIDTH}>
            <Text color={index === active ? 'cyan' : undefined}>
              {index === active ? '› ' : '  '}
              {label}
            </Text>
          </Box>
          <Text>
            {values[index]}
            {index === active ? <Text inverse> </Text> : null}
          </Text>
        </Box>
      ))}
      <Text dimColor>Tab next field · Enter submit · Esc cancel</Text>
    </Box>
  );
}
