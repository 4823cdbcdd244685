export interface Row {
  measurement: string;
  baseline: string;
  tollgate: string;
  /** Ratio or difference, as the target is phrased. */
  comparison: string;
  target: string;
  /** undefined: not measured in this run. */
  pass?: boolean;
}

const headers = ['measurement', 'baseline', 'tollgate', 'ratio/delta', 'target', 'pass/fail'];

/** A Markdown pipe table, padded so it also reads well in a terminal. */
export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [r.measurement, r.baseline, r.tollgate, r.comparison, r.target, r.pass === undefined ? (r.target === '—' ? '—' : 'n/a') : r.pass ? 'PASS' : 'FAIL']);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export const fmt = {
  rate: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  us: (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(1) : 'n/a'),
  ms: (n: number) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a'),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a'),
  deltaMs: (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(3)} ms` : 'n/a'),
  fraction: (n: number) => (Number.isFinite(n) ? n.toFixed(4) : 'n/a'),
};
