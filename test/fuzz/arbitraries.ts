import fc from 'fast-check';
import { BODY_LIMIT_BYTES } from '../../services/shared/src/http/create-http-app.ts';

/** Strings people and attackers send: empty, control characters, bidi overrides, emoji, very long. */
export const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 3_000 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e\u0041',
    '💸'.repeat(200),
    'a'.repeat(6_000),
    "'; DROP TABLE users;--",
    '%00',
    '\ud800',
  ),
);

/** Numbers at the edges of doubles and of our money limits. */
export const oddNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    1e308,
    -1e308,
    5e-324,
    -0,
    2 ** 53 + 2,
    0.1 + 0.2,
    1_000_000_000.01,
    1_000_000_000,
    9_999_999_999_999.99,
    0.005,
    1e21,
  ),
);

/** Amount-shaped inputs, mostly invalid, some valid. */
export const amountLike = fc.oneof(
  oddNumber,
  oddString,
  fc.tuple(fc.nat({ max: 10_000 }), fc.nat({ max: 999 })).map(([whole, fraction]) => `${whole}.${fraction}`),
  fc.constantFrom(
    '1e3',
    '0x10',
    '1.234',
    '-5',
    '  7 ',
    '١٢٣',
    '1_000',
    '+1',
    '.5',
    '5.',
    'Infinity',
    'NaN',
    '0.00',
    '0.01',
  ),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

/** Valid amounts small enough for the fuzz wallets: 0.01 … 5.00, as a number or as text. */
export const smallAmount = fc
  .integer({ min: 1, max: 500 })
  .chain((cents) => fc.constantFrom<string | number>((cents / 100).toFixed(2), cents / 100));

/** UUID-shaped inputs: real ids of known users, random ids, and near misses. */
export function userIdLike(knownIds: readonly string[]) {
  return fc.oneof(
    fc.constantFrom(...knownIds),
    fc.constantFrom(...knownIds).map((id) => id.toUpperCase()),
    fc.constantFrom(...knownIds).map((id) => `{${id}}`),
    fc.constantFrom(...knownIds).map((id) => id.replaceAll('-', '')),
    fc.uuid(),
    fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      'not-a-uuid',
    ),
    oddString,
    oddNumber,
    fc.constant(null),
  );
}

export const emailLike = fc.oneof(
  fc.emailAddress(),
  oddString,
  fc.constantFrom(
    'a@b',
    'A@EXAMPLE.COM ',
    `${'x'.repeat(250)}@example.com`,
    'ü@ü.de',
    '@',
    'a@@b.c',
    'a b@c.de',
  ),
  oddNumber,
  fc.constant(null),
);

/** Header values undici will send (visible ASCII and spaces), valid-looking or not. */
export const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
  fc.stringMatching(/^[\x20-\x7e]{0,300}$/),
  fc.constantFrom(
    '',
    ' ',
    'a'.repeat(129),
    'a'.repeat(201),
    'key with spaces',
    '../../etc/passwd',
    'ключ'.replace(/[^\x20-\x7e]/g, '?'),
  ),
);

/** Percent-encodes anything, lone surrogates included (replaced by U+FFFD as a browser would). */
export function encodeQuery(value: unknown): string {
  return encodeURIComponent(String(value).toWellFormed());
}

/** Odd query-string values, already percent-encoded or deliberately broken. */
export const queryValue = fc.oneof(
  fc.string({ maxLength: 60 }).map(encodeQuery),
  fc.constantFrom(
    '%ZZ',
    '%',
    '-1',
    '0',
    '1e9',
    '99999999999999999999',
    '1.5',
    '',
    'null',
    '%00',
    'a&b=c',
    '%F0%9F%92%B8',
  ),
);

/** A JSON object with the route's fields (each maybe missing) plus maybe a stray extra field. */
export function objectWith(fields: Record<string, fc.Arbitrary<unknown>>) {
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.option(fc.tuple(oddString, fc.jsonValue({ maxDepth: 2 })), { nil: undefined }),
    )
    .map(([body, extra]) => (extra ? { ...body, [extra[0]]: extra[1] } : body));
}

/** Any JSON at all where an object is expected. */
export const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Raw bodies that break the transport layer rather than the schema. */
export const rawBodyCases: { label: string; body: string; contentType: string; expectStatus?: number }[] = [
  {
    label: 'over the body limit',
    body: `{"a":"${'x'.repeat(BODY_LIMIT_BYTES)}"}`,
    contentType: 'application/json',
    expectStatus: 413,
  },
  {
    label: 'deep nesting under the limit',
    body: `${'['.repeat(8_000)}${']'.repeat(8_000)}`,
    contentType: 'application/json',
  },
  {
    label: 'deep objects under the limit',
    body: `${'{"a":'.repeat(2_500)}1${'}'.repeat(2_500)}`,
    contentType: 'application/json',
  },
  {
    label: 'duplicate keys',
    body: '{"amount": 1, "amount": "x", "user_id": "a", "user_id": null}',
    contentType: 'application/json',
  },
  { label: 'truncated JSON', body: '{"email": "a@b.c"', contentType: 'application/json' },
  { label: 'empty JSON body', body: '', contentType: 'application/json' },
  { label: 'JSON with a BOM', body: '\ufeff{"email":"bom@example.com"}', contentType: 'application/json' },
  { label: 'a bare string', body: '"just a string"', contentType: 'application/json' },
  { label: 'NaN literal', body: '{"amount": NaN}', contentType: 'application/json' },
  {
    label: 'form encoding',
    body: 'email=a%40b.c&amount=1',
    contentType: 'application/x-www-form-urlencoded',
  },
  { label: 'plain text', body: 'hello', contentType: 'text/plain' },
  { label: 'multipart', body: '--x\r\n\r\nhi\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
  {
    label: 'json with an odd charset',
    body: '{"email":"a@b.c"}',
    contentType: 'application/json; charset=latin1',
  },
  { label: 'problem+json as input', body: '{"email":"a@b.c"}', contentType: 'application/problem+json' },
  { label: 'no content type', body: '{"email":"a@b.c"}', contentType: '' },
];

/**
 * Idempotency keys: odd header values, fresh valid keys, and a few keys every property shares, so
 * the same key comes back with another body (IDEMPOTENCY_KEY_REUSED) or the same one (a replay).
 */
export const idempotencyKeyValue = fc.oneof(
  headerValue,
  fc.uuid(),
  fc.constantFrom('fuzz-key-a', 'fuzz-key-b', 'FUZZ:key.c_1', 'a'.repeat(200)),
);

/** The optional headers of a money command: an idempotency key and a request id, each maybe missing. */
export const idempotencyHeaders = fc.record(
  { 'idempotency-key': idempotencyKeyValue, 'x-request-id': headerValue },
  { requiredKeys: [] },
);

/**
 * Who asks: mostly the operator token the requests carry by default ({}), sometimes the reader,
 * the fuzz user token, or an Authorization header that is no token at all.
 */
export function authorizationHeaders(tokens: { reader: string; user: string }) {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    fc
      .constantFrom(`Bearer ${tokens.reader}`, `Bearer ${tokens.user}`)
      .map((value) => ({ authorization: value })),
    fc
      .oneof(
        headerValue,
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          `Basic ${tokens.user}`,
          `bearer  ${tokens.user} `,
          `Bearer ${tokens.user}x`,
        ),
      )
      .map((value) => ({ authorization: value })),
  );
}

/** Ids of things (holds, transfers, deposits): real ones, the same in other spellings, and near misses. */
export function thingIdLike(realIds: readonly string[]) {
  const real = realIds.length > 0 ? fc.constantFrom(...realIds) : fc.uuid();
  return fc.oneof(
    { weight: 4, arbitrary: real },
    real.map((id) => id.toUpperCase()),
    real.map((id) => id.replaceAll('-', '')),
    real.map((id) => `${id.slice(0, -1)}0`),
    fc.uuid(),
    fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid', '..', '%2e%2e', 'null'),
    oddString,
  );
}

/** Hold lifetimes in seconds: the valid range's edges, just outside them, and anything else. */
export const expiresInSecondsLike = fc.oneof(
  fc.integer({ min: 1, max: 604_800 }),
  fc.constantFrom(0, 1, 2, 604_800, 604_801, -1, 1.5, 0.999, 1e308, -0, 2 ** 31, 2 ** 53 + 2),
  oddNumber,
  fc.constantFrom('60', '', null, true, [], {}),
);

/** Why a wallet's status changed or a movement was reversed: up to 500 characters, trimmed, not blank. */
export const reasonLike = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  oddString,
  fc.constantFrom(' ', '\t\n', 'x'.repeat(500), 'x'.repeat(501), ` ${'y'.repeat(500)} `),
  oddNumber,
  fc.constant(null),
);

/** A hold status filter: the four real ones and near misses. */
export const holdStatusLike = fc.oneof(
  fc.constantFrom('pending', 'captured', 'voided', 'expired'),
  fc.constantFrom('PENDING', 'pending ', 'open', '', 'pending,voided'),
  fc.string({ maxLength: 20 }),
);

/**
 * Mostly the route's fields with valid values (so the money paths run, not just validation),
 * sometimes each field fuzzed, sometimes any JSON at all.
 */
export function nearlyValidBody(
  valid: Record<string, fc.Arbitrary<unknown>>,
  fuzzed: Record<string, fc.Arbitrary<unknown>>,
) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record(valid) },
    { weight: 3, arbitrary: objectWith(fuzzed) },
    { weight: 1, arbitrary: anyJson },
  );
}

/** A POST body that may be missing (undefined: no body at all), any JSON, or the route's own fields. */
export function optionalBody(fields: Record<string, fc.Arbitrary<unknown>>) {
  return fc.oneof(objectWith(fields), anyJson, fc.constant(undefined));
}

/**
 * Integers at the edges a cursor's numbers meet: bigint's limits and just past them, and
 * microseconds at the first and last instants PostgreSQL and RFC 3339 text can write; as text,
 * with the spellings bigint never writes (-0, leading zeros, exponents).
 */
const edgeIntegerText = fc.oneof(
  // Unbiased: fast-check otherwise favours small numbers, and the edges here are 2^63 and beyond.
  fc.noBias(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n })).map(String),
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        0n,
        1n,
        -1n,
        2n ** 62n,
        -(2n ** 62n),
        2n ** 63n - 1n,
        2n ** 63n,
        -(2n ** 63n),
        -(2n ** 63n) + 1n,
        2n ** 63n - 512n,
        -210_866_803_200_000_000n,
        -210_866_803_200_000_001n,
        -62_135_596_800_000_000n,
        -62_135_596_800_000_001n,
        253_402_300_799_999_999n,
        253_402_300_800_000_000n,
        10n ** 20n,
      )
      .map(String),
  },
  fc.constantFrom('-0', '01', '1e3', '', ' 1', '+1', '0x10', '1.5'),
);

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** `2026-01-01T00:00:00.000000Z`: how user-service writes a created_at into a cursor. */
const createdAtText = (fields: readonly number[]) => {
  const [year, month, day, hour, minute, second, micros] = fields as [number, ...number[]];
  return `${pad(year, 4)}-${pad(month!, 2)}-${pad(day!, 2)}T${pad(hour!, 2)}:${pad(minute!, 2)}:${pad(second!, 2)}.${pad(micros!, 6)}Z`;
};

/**
 * A users cursor's created_at in the form the service writes: real instants of the years
 * 0001-9999, the edges (the year 0000, which PostgreSQL has not, and 10000; February 29 and 30;
 * hour 24; second 60), any field just past its range, and words PostgreSQL alone reads as a time.
 */
const edgeTimestampText = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .date({
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString().replace(/Z$/, '000Z')),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0000-01-01T00:00:00.000000Z',
      '0000-02-29T12:00:00.000000Z',
      '0000-12-31T23:59:59.999999Z',
      '0001-01-01T00:00:00.000000Z',
      '9999-12-31T23:59:59.999999Z',
      '10000-01-01T00:00:00.000000Z',
      '2024-02-29T00:00:00.000000Z',
      '2025-02-29T00:00:00.000000Z',
      '2024-02-30T00:00:00.000000Z',
      '2026-01-01T24:00:00.000000Z',
      '2026-12-31T23:59:60.000000Z',
      '2026-01-01T00:00:00Z',
      'infinity',
      '-infinity',
      'epoch',
      'now',
    ),
  },
  fc
    .tuple(
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 999_999 }),
    )
    .map(createdAtText),
);

const uuidText = fc.oneof(
  fc.uuid(),
  fc.constantFrom(
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    'not-a-uuid',
    '',
  ),
);

/** The listings that take a cursor, each with its own form (see cursorLike). */
export type CursorListing = 'wallets' | 'history' | 'statement' | 'users';

/**
 * Page cursors as a client can forge them: each listing's own form (`w<µs>/<uuid>` wallets,
 * `s<seq>` histories, `p<from>/<to>/<opening>/<closing>/<last>` statements, a JSON pair for users)
 * filled with extreme numbers and dates, mostly in the form of the `listing` fuzzed, the others
 * mixed in, and base64url of anything. `statementPeriodsMicros` are the periods fuzzed statements
 * ask for, so forgeries get past the period check. Each is a 200 or a 400 INVALID_CURSOR, never a 500.
 */
export function forgedCursor(
  listing: CursorListing,
  options: { statementPeriodsMicros?: readonly (readonly [bigint, bigint])[] } = {},
) {
  const periods = options.statementPeriodsMicros ?? [];
  const period =
    periods.length > 0
      ? fc.oneof(
          {
            weight: 3,
            arbitrary: fc.constantFrom(...periods).map(([from, to]) => [String(from), String(to)]),
          },
          fc.tuple(edgeIntegerText, edgeIntegerText),
        )
      : fc.tuple(edgeIntegerText, edgeIntegerText);
  const forms: Record<CursorListing, fc.Arbitrary<string>> = {
    wallets: fc.tuple(edgeIntegerText, uuidText).map(([micros, id]) => `w${micros}/${id}`),
    history: edgeIntegerText.map((seq) => `s${seq}`),
    statement: fc
      .tuple(period, fc.array(edgeIntegerText, { minLength: 2, maxLength: 4 }))
      .map(([[from, to], seqs]) => `p${[from, to, ...seqs].join('/')}`),
    users: fc
      .tuple(fc.oneof({ weight: 4, arbitrary: edgeTimestampText }, fc.jsonValue({ maxDepth: 1 })), uuidText)
      .map((pair) => JSON.stringify(pair)),
  };
  const text = fc.oneof(
    { weight: 12, arbitrary: forms[listing] },
    ...Object.values(forms),
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    oddString.map((value) => value.toWellFormed()),
  );
  return fc.oneof(
    {
      weight: 6,
      arbitrary: text.map((value) => encodeQuery(Buffer.from(value, 'utf8').toString('base64url'))),
    },
    // Not canonical base64url: padded, or standard base64's + and /.
    text.map((value) => encodeQuery(Buffer.from(value, 'utf8').toString('base64'))),
  );
}

/** A cursor query value: forged cursors (see forgedCursor) and odd query text. */
export function cursorLike(
  listing: CursorListing,
  options: { statementPeriodsMicros?: readonly (readonly [bigint, bigint])[] } = {},
) {
  return fc.oneof({ weight: 3, arbitrary: forgedCursor(listing, options) }, queryValue);
}
