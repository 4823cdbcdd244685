/** Text encodings ClickHouse reads and writes the same way on 18.16 and current releases. */

/** A string literal for SQL. Values are validated before they get here; quoting is the second line of defence. */
export function sqlString(value: string): string {
  return `'${escapeQuoted(value)}'`;
}

const NEEDS_QUOTED_ESCAPE = /[\\'\t\n\r\0]/;
const NEEDS_TSV_ESCAPE = /[\\\t\n\r\0]/;

function escapeQuoted(value: string): string {
  return NEEDS_QUOTED_ESCAPE.test(value) ? value.replace(/[\\'\t\n\r\0]/g, (c) => QUOTED_ESCAPES[c]) : value;
}

const QUOTED_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** One field of TabSeparated input. */
export function tsvField(value: string): string {
  return NEEDS_TSV_ESCAPE.test(value) ? value.replace(/[\\\t\n\r\0]/g, (c) => TSV_ESCAPES[c]) : value;
}

/** An Array(String) field of TabSeparated input: `['a','b\'c']`. */
export function tsvStringArray(values: readonly string[]): string {
  return `[${values.map(sqlString).join(',')}]`;
}

const secondTexts = new Map<number, string>();

/** `2026-11-21 10:00:00`: how a DateTime('UTC') column reads and prints. */
export function dateTimeText(date: Date): string {
  return epochMsDateTimeText(date.getTime());
}

/** dateTimeText of epoch milliseconds; events cluster in time, so recent seconds' texts are remembered. */
export function epochMsDateTimeText(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = secondTexts.get(second);
  if (text === undefined) {
    if (secondTexts.size >= 8192) secondTexts.clear();
    text = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
    secondTexts.set(second, text);
  }
  return text;
}

export function parseDateTimeText(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

const TSV_UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0', "'": "'", b: '\b', f: '\f' };

/** Rows of TabSeparated output, fields unescaped. */
export function parseTsv(text: string): string[][] {
  if (text === '') return [];
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map((line) => line.split('\t').map((field) => (field.includes('\\') ? field.replace(/\\(.)/g, (_, c: string) => TSV_UNESCAPES[c] ?? c) : field)));
}
