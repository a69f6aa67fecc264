/** Number formatting with units for CLI output. */

const PREFIXES: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 1234567 -> "1.235 M" (no unit). */
export function si(x: number, digits = 3): string {
  if (Math.abs(x) < 1000) return Number.isInteger(x) ? String(x) : x.toFixed(digits);
  const [div, p] = PREFIXES.find(([d]) => Math.abs(x) >= d) ?? [1, ''];
  return `${(x / div).toFixed(digits)}${p ? ' ' + p : ''}`;
}

/** Energy given in pJ, shown in the largest sensible unit. */
export function energy(pJ: number): string {
  if (pJ >= 1e9) return `${(pJ / 1e9).toFixed(3)} mJ`;
  if (pJ >= 1e6) return `${(pJ / 1e6).toFixed(3)} uJ`;
  if (pJ >= 1e3) return `${(pJ / 1e3).toFixed(3)} nJ`;
  return `${pJ.toFixed(3)} pJ`;
}

export function cycles(c: number): string {
  return `${Math.round(c).toLocaleString('en-US')} cycles`;
}

export function area(um2: number): string {
  return `${(um2 / 1e6).toFixed(4)} mm^2`;
}

export function power(mW: number): string {
  return `${mW.toFixed(2)} mW`;
}

/** A plain-text table with right-aligned numeric columns. */
export function table(head: string[], rows: string[][], numericFrom = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i >= numericFrom ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
