// Sample values of a column type, as the database prints them: the edges of the type's range and a
// typical value. A retyped column is accepted only if every sample maps into its field, so the
// samples stand for the whole type — a type whose range they cannot stand for has none (undefined),
// and such a retype stops the stream for the operator to decide.
// Names are PostgreSQL's format_type text and MySQL/MariaDB's COLUMN_TYPE text.

const INT_RANGES: Array<[RegExp, string, string]> = [
  [/^(tinyint|int1)(\(\d+\))? unsigned\b/, '0', '255'],
  [/^(tinyint|int1)\b/, '-128', '127'],
  [/^(smallint|int2)(\(\d+\))? unsigned\b/, '0', '65535'],
  [/^(smallint|int2)\b/, '-32768', '32767'],
  [/^(mediumint)(\(\d+\))? unsigned\b/, '0', '16777215'],
  [/^mediumint\b/, '-8388608', '8388607'],
  [/^(int|integer|int4)(\(\d+\))? unsigned\b/, '0', '4294967295'],
  [/^(int|integer|int4)\b/, '-2147483648', '2147483647'],
  [/^(bigint|int8)(\(\d+\))? unsigned\b/, '0', '18446744073709551615'],
  [/^(bigint|int8)\b/, '-9223372036854775808', '9223372036854775807'],
];

/** Samples of `type`, or undefined when none are known (the change is then not accepted). */
export function samplesFor(type: string): string[] | undefined {
  const t = type.trim().toLowerCase();
  if (t.endsWith('[]')) return undefined;
  for (const [re, lo, hi] of INT_RANGES) if (re.test(t)) return [lo, '0', hi];
  const dec = /^(numeric|decimal)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(t);
  if (dec) {
    const p = Number(dec[2]);
    const s = Number(dec[3] ?? 0);
    if (s > p || s < 0) return undefined;
    const whole = p - s > 0 ? '9'.repeat(p - s) : '0';
    const max = s > 0 ? `${whole}.${'9'.repeat(s)}` : whole;
    const tiny = s > 0 ? `0.${'0'.repeat(s - 1)}1` : '1';
    return [max, `-${max}`, tiny];
  }
  // numeric without a precision holds any value: a fraction, huge and tiny values beyond any fixed
  // scale or precision, and NaN; only a field that takes arbitrary decimals as text takes them all
  if (/^(numeric|decimal)$/.test(t)) return ['1.5', '-123456789012345678901234567890.123456789012345', '0.000000000000000000000000000001', 'NaN'];
  if (/^(real|float4|float(\(\d+\))?)$/.test(t)) return ['1.5', '-3.4028235e+38', '1.1754944e-38'];
  if (/^(double precision|float8|double)\b/.test(t)) return ['1.5', '-1.7976931348623157e+308', '2.2250738585072014e-308'];
  if (/^(boolean|bool)$/.test(t)) return ['t', 'f'];
  if (/^(text|character varying|varchar|character|char|bpchar|name|citext|tinytext|mediumtext|longtext)\b/.test(t)) return ['', 'x', 'ünïcødé ✓'];
  if (t === 'uuid') return ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
  if (t === 'date') return ['2024-02-29', '1970-01-01'];
  if (/^timestamp(\(\d\))? with time zone$/.test(t) || t === 'timestamptz') return ['2024-02-29 12:34:56.123456+00', '1970-01-01 00:00:00+00'];
  if (/^(timestamp(\(\d\))?( without time zone)?|datetime(\(\d\))?)$/.test(t)) return ['2024-02-29 12:34:56.123456', '1970-01-01 00:00:00'];
  if (/^time(\(\d\))?( without time zone)?$/.test(t)) return ['12:34:56.123456', '00:00:00'];
  if (t === 'json' || t === 'jsonb') return ['{"a":1}', '[]', '"x"'];
  if (t === 'bytea') return ['\\x', '\\x00ff'];
  return undefined;
}
