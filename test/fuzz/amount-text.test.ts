import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AMOUNT_MAX_MINOR, numericToMinor } from '../../services/shared/src/money.ts';
import { FUZZ_TEST_TIMEOUT_MS, itKeepsTheMoneyInvariants, useFuzzSuite } from './fuzz-suite.ts';

const JSON_NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Far beyond what the generators write; keeps the oracle's powers of ten small. */
const EXPONENT_MAX = 30;

const digitsText = (lengthMin: number, lengthMax: number) =>
  fc
    .array(fc.constantFrom(...'0123456789'), { minLength: lengthMin, maxLength: lengthMax })
    .map((digits) => digits.join(''));

/** Any JSON number text: sign, whole part, fraction and exponent in every spelling RFC 8259 allows. */
const anyNumberText = fc
  .tuple(
    fc.constantFrom('', '', '', '-'),
    fc.oneof(
      fc.constant('0'),
      fc
        .tuple(fc.constantFrom(...'123456789'), fc.oneof(digitsText(0, 10), digitsText(11, 24)))
        .map(([first, rest]) => `${first}${rest}`),
    ),
    fc.option(
      fc.oneof(digitsText(1, 3), digitsText(4, 22)).map((digits) => `.${digits}`),
      { nil: '' },
    ),
    fc.option(
      fc
        .tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 25 }))
        .map(([e, sign, exponent]) => `${e}${sign}${exponent}`),
      { nil: '' },
    ),
  )
  .map((parts) => parts.join(''));

/**
 * A valid amount with zeros and one more digit after its cents: with enough zeros a double
 * rounds it back to the valid amount (10.00000000000000001 → 10), which is the case under test.
 */
const nearlyAnAmountText = fc
  .tuple(fc.nat({ max: 999_999_999 }), fc.nat({ max: 99 }), fc.nat({ max: 20 }), fc.constantFrom(...'0159'))
  .map(
    ([whole, cents, zeros, last]) => `${whole}.${String(cents).padStart(2, '0')}${'0'.repeat(zeros)}${last}`,
  );

const numberText = fc.oneof(
  anyNumberText,
  nearlyAnAmountText,
  fc.constantFrom(
    '10.00000000000000001',
    '999999999.999999999999',
    '0.001',
    '1e-3',
    '1234567890123456789012345',
    '1.5e1',
    '100.000',
    '10.50',
    '1E2',
    '-0',
    '0e5',
  ),
);

/** The oracle, by BigInt arithmetic on the text: its exact value in cents, or undefined past 2 decimals. */
function exactMinor(text: string): bigint | undefined {
  const match = JSON_NUMBER_TEXT.exec(text);
  if (!match) throw new Error(`the generator wrote no JSON number: ${text}`);
  const [, sign, whole = '', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  if (Math.abs(exponent) > EXPONENT_MAX) throw new Error(`exponent past the oracle's range: ${text}`);
  const mantissa = BigInt(`${sign}${whole}${fraction}`);
  const power = 2 - fraction.length + exponent;
  if (power >= 0) return mantissa * 10n ** BigInt(power);
  const divisor = 10n ** BigInt(-power);
  return mantissa % divisor === 0n ? mantissa / divisor : undefined;
}

describe('amounts written as JSON number text, fuzzed', () => {
  const suite = useFuzzSuite({
    label: 'fuzz_amount_text',
    service: 'transactions',
    moneyMayMove: (status) => status === 200,
  });

  it(
    'POST /addMoney: a number text is taken at its exact value when that is a valid amount, and otherwise is 400 INVALID_AMOUNT that moves nothing',
    async () => {
      await suite.assertReachesValidation(
        fc.asyncProperty(numberText, async (amountText) => {
          // Given
          const userId = suite.knownIds()[0]!;
          const balanceBefore = numericToMinor((await suite.target.walletStates()).get(userId)!.balance);
          const expectedMinor = exactMinor(amountText);
          const valid =
            expectedMinor !== undefined && expectedMinor > 0n && expectedMinor <= AMOUNT_MAX_MINOR;

          // When
          const response = await suite.sendAndJudge({
            method: 'POST',
            path: '/addMoney',
            headers: { 'content-type': 'application/json' },
            body: `{"user_id":${JSON.stringify(userId)},"amount":${amountText}}`,
          });

          // Then
          const balanceAfter = numericToMinor((await suite.target.walletStates()).get(userId)!.balance);
          const context = `amount ${amountText} → ${response.status} ${response.text.slice(0, 200)}`;
          if (valid) {
            expect(response.status, context).toBe(200);
            expect(balanceAfter - balanceBefore, context).toBe(expectedMinor);
          } else {
            expect([response.status, (response.json as { code?: string }).code], context).toEqual([
              400,
              'INVALID_AMOUNT',
            ]);
          }
        }),
      );
    },
    FUZZ_TEST_TIMEOUT_MS,
  );

  itKeepsTheMoneyInvariants(suite);
});
