/**
 * `--vary` specs: which hardware quantities of an architecture the co-optimizer may change, and over what range.
 *
 *   LEVEL.depth=MIN..MAX       storage depth (rows of the level's width): powers of two for SRAMs, integers otherwise
 *   NAME.meshX=MIN..MAX        a spatial mesh, named by the level or container (subtree) carrying the instances
 *   NAME.meshY=MIN..MAX
 *   LEVEL.bandwidth=MIN..MAX   read/write bandwidth (words/cycle): the file's value times a power of two (banks)
 *   datawidth=4,8,16           datapath word widths in bits, one Pareto front each
 *
 * Specs are separated by commas (`PE.meshX=4..32,shared_glb.depth=1024..65536`); the datawidth list takes the commas
 * that follow it up to the next `=`. A single value (`PE.meshX=16`) fixes the variable at that value. This file only
 * parses; `templateFromAccelerator` (template.ts) binds the specs to an architecture and reports what does not fit.
 */
import { InputError, show } from '../errors.js';

export type RangeKind = 'depth' | 'meshX' | 'meshY' | 'bandwidth';

export interface RangeSpec {
  kind: RangeKind;
  /** the level or container name before the dot */
  target: string;
  min: number;
  max: number;
  /** the spec as written, for error messages */
  text: string;
}

export interface DatawidthSpec {
  kind: 'datawidth';
  /** distinct widths in bits, ascending */
  values: number[];
  text: string;
}

export type VarySpec = RangeSpec | DatawidthSpec;

const KINDS: readonly RangeKind[] = ['depth', 'meshX', 'meshY', 'bandwidth'];
const FORMS = 'LEVEL.depth=MIN..MAX, NAME.meshX=MIN..MAX, NAME.meshY=MIN..MAX, LEVEL.bandwidth=MIN..MAX or datawidth=W,W,...';

/** An InputError naming the spec (`--vary: SPEC: expected ...`). */
export function varyError(spec: string, expected: string, got?: string): InputError {
  return new InputError('--vary', spec, expected, got);
}

const num = (s: string): number => (/^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(s) ? Number(s) : NaN);

/** Parse a `--vary` string into specs (syntax only; see the file comment). Throws an InputError naming the bad spec. */
export function parseVary(text: string): VarySpec[] {
  const tokens = text.split(',').map((t) => t.trim());
  if (tokens.every((t) => t === '')) throw varyError(show(text), `one or more specs (${FORMS})`, 'nothing');
  const out: VarySpec[] = [];
  for (const tok of tokens) {
    if (tok === '') throw varyError(show(text), 'specs separated by single commas', 'an empty spec');
    const eq = tok.indexOf('=');
    if (eq < 0) {
      // a further width of the datawidth list before it
      const last = out[out.length - 1];
      if (last?.kind !== 'datawidth') throw varyError(tok, FORMS, 'no "="');
      last.values.push(width(tok, `${last.text},${tok}`));
      last.text += `,${tok}`;
      continue;
    }
    const lhs = tok.slice(0, eq).trim();
    const rhs = tok.slice(eq + 1).trim();
    if (lhs.toLowerCase() === 'datawidth') {
      out.push({ kind: 'datawidth', values: [width(rhs, tok)], text: tok });
      continue;
    }
    const dot = lhs.lastIndexOf('.');
    const target = dot > 0 ? lhs.slice(0, dot) : '';
    const kind = dot > 0 ? KINDS.find((k) => k.toLowerCase() === lhs.slice(dot + 1).toLowerCase()) : undefined;
    if (!kind || target === '') throw varyError(tok, FORMS, show(lhs));
    const parts = rhs.split('..');
    const lo = parts.length <= 2 ? num(parts[0]!) : NaN;
    const hi = parts.length === 2 ? num(parts[1]!) : lo;
    if (!(lo > 0) || !(hi > 0)) throw varyError(tok, 'a range MIN..MAX of positive numbers (or one value)', show(rhs));
    if (lo > hi) throw varyError(tok, `MIN <= MAX`, `${lo} > ${hi}`);
    if (kind !== 'bandwidth' && (!Number.isInteger(lo) || !Number.isInteger(hi))) throw varyError(tok, `integer bounds for ${kind}`, show(rhs));
    out.push({ kind, target, min: lo, max: hi, text: tok });
  }
  for (const s of out) {
    if (s.kind !== 'datawidth') continue;
    s.values = [...new Set(s.values)].sort((a, b) => a - b);
  }
  if (out.filter((s) => s.kind === 'datawidth').length > 1) throw varyError('datawidth', 'one datawidth list', 'two');
  return out;
}

function width(s: string, spec: string): number {
  const w = num(s);
  if (!Number.isInteger(w) || w < 1 || w > 64) throw varyError(spec, 'datawidths in bits, integers from 1 to 64 (e.g. datawidth=4,8,16)', show(s));
  return w;
}

/** The specs written back as one `--vary` string. */
export function formatVary(specs: readonly VarySpec[]): string {
  return specs
    .map((s) =>
      s.kind === 'datawidth' ? `datawidth=${s.values.join(',')}` : `${s.target}.${s.kind}=${s.min === s.max ? s.min : `${s.min}..${s.max}`}`,
    )
    .join(',');
}
