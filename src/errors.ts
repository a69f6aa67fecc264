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
    super(`${file}: ${field}: expected ${expected}${got !== undefined ? `, got ${got}` : ''}`);
    this.name = 'InputError';
  }
}

/** Show a value in an error message without dumping large objects. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/**
 * Constraints that no solution meets (a layer that fits no mapping, a budget no hardware meets). The CLI prints one
 * line naming the tightest violated constraint and exits 1.
 */
export class InfeasibleError extends Error {
  constructor(readonly tightest: string) {
    super(`infeasible: ${tightest}`);
    this.name = 'InfeasibleError';
  }
}
