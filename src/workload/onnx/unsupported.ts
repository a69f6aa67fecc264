/**
 * Ops that carry MACs we do not turn into layers (recurrent cells, Einsum): their output shapes are inferred so that
 * the rest of the graph imports, and the importer lists them, with counts, in one warning line.
 */
import { input, type ShapeRule } from './context.js';
import type { Value } from './value.js';

/** LSTM/GRU/RNN: Y [seq, dirs, batch, hidden] (layout 0) or [batch, seq, dirs, hidden] (layout 1), Y_h/Y_c per dir. */
const recurrent: ShapeRule = (c) => {
  const x = input(c, 0);
  if (x.shape.length !== 3) return c.fail(`input rank ${x.shape.length} is not [seq, batch, features]`);
  const hidden = c.attrs.int('hidden_size', 0);
  if (hidden < 1) return c.fail('no hidden_size');
  const dirs = c.attrs.string('direction', 'forward') === 'bidirectional' ? 2 : 1;
  const layout = c.attrs.int('layout', 0);
  const [seq, batch] = layout === 1 ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const y = layout === 1 ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
  const h = layout === 1 ? [batch, dirs, hidden] : [dirs, batch, hidden];
  return [y, h, h].slice(0, c.outputs).map((shape): Value => ({ shape, constant: false }));
};

/** Einsum with an explicit or implicit output (no ellipsis). */
const einsum: ShapeRule = (c) => {
  const eq = c.attrs.string('equation', '').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (eq.includes('.') || terms.length !== c.inputs.length) return c.fail(`equation ${JSON.stringify(eq)} is not supported`);
  const size = new Map<string, number>();
  const count = new Map<string, number>();
  terms.forEach((t, i) => {
    const v = input(c, i);
    if (t.length !== v.shape.length) c.fail(`term ${t} does not match rank ${v.shape.length}`);
    [...t].forEach((ch, j) => {
      size.set(ch, Math.max(size.get(ch) ?? 1, v.shape[j]!));
      count.set(ch, (count.get(ch) ?? 0) + 1);
    });
  });
  const out =
    rhs ??
    [...count.keys()]
      .filter((ch) => count.get(ch) === 1)
      .sort()
      .join('');
  return [{ shape: [...out].map((ch) => size.get(ch) ?? c.fail(`output index ${ch} is not an input index`)), constant: false }];
};

export const UNSUPPORTED_MAC_RULES: Record<string, ShapeRule> = {
  LSTM: recurrent,
  GRU: recurrent,
  RNN: recurrent,
  Einsum: einsum,
};
