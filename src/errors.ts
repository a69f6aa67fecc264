/**
 * Bad user input. The message is one line naming the file, the field and what was expected;
 * the CLI prints it and exits 2, never a stack trace.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
    readonly got?: string,
  ) {
    super(oneLine(`${file}: ${field}: expected ${expected}${got !== undefined ? `, got ${got}` : ''}`));
    this.name = 'InputError';
  }
}

/**
 * An error line stays one line: newlines and other control characters (in file names, level names, YAML keys) are
 * shown escaped, as JSON would.
 */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** YAML's spelling of the numbers JSON cannot write (JSON.stringify would print null). */
function nonFinite(v: number): string {
  return Number.isNaN(v) ? '.nan (not a number)' : v > 0 ? '.inf (infinity)' : '-.inf (minus infinity)';
}

/** Show a value in an error message without dumping large objects. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return nonFinite(v);
  if (typeof v === 'bigint') return String(v);
  const s =
    typeof v === 'string'
      ? JSON.stringify(v)
      : (JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? nonFinite(x) : x)) ?? String(v));
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/**
 * Constraints that no solution meets (a layer that fits no mapping, a budget no hardware meets). The CLI prints one
 * line naming the tightest violated constraint and exits 1.
 */
export class InfeasibleError extends Error {
  constructor(readonly tightest: string) {
    super(oneLine(`infeasible: ${tightest}`));
    this.name = 'InfeasibleError';
  }
}
