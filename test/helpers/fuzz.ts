/**
 * Mutations for the CLI fuzz loop (test/fuzz.test.ts): random edits of Timeloop YAML texts and random command lines,
 * all drawn from one seeded generator, and the oracle every run must pass.
 */
import { pick } from '../../src/mapping/random.js';

export type Rng = () => number;

const int = (r: Rng, n: number): number => Math.floor(r() * n);

/** Values a hostile user might put where a number, a name or a list belongs. */
const VALUES = [
  '0',
  '-1',
  '1',
  '2',
  '3.5',
  '1e3',
  '1e6',
  '1e12',
  '1e308',
  '-1e308',
  '4.9e-324',
  '9007199254740993',
  '0x10',
  '0o17',
  '0b11',
  '.nan',
  '.NaN',
  '.inf',
  '-.inf',
  'null',
  '~',
  '',
  'true',
  'false',
  'yes',
  '[]',
  '{}',
  '[1, 2]',
  '{a: 1}',
  '"16"',
  "'x'",
  'abc',
  'K',
  'DRAM',
  'Weights',
  'Psums',
  '__proto__',
  'constructor',
  'toString',
  '"a\\nb"',
  '"\\u0000"',
  '!!binary aGk=',
  '!Container {}',
  '*undefined_anchor',
  '&a 3',
  '2019-01-01',
  '12:30',
  '"' + 'x'.repeat(300) + '"',
  '- 1',
  '|\n  text',
];

/** Keys: known fields of the Timeloop formats, prototype names and junk. */
const KEYS = [
  'target',
  'type',
  'factors',
  'permutation',
  'split',
  'keep',
  'bypass',
  'name',
  'class',
  'attributes',
  'subtree',
  'local',
  'memory_depth',
  'depth',
  'word-bits',
  'block-size',
  'meshX',
  'meshY',
  'instance',
  'shape',
  'energy',
  'area',
  'actions',
  'tables',
  'version',
  'nodes',
  'spatial',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '"a\\nb"',
  '? [x]',
  'K',
  'N',
  'Wstride',
  'mapping',
  'problem',
  'architecture',
  'ERT',
  'ART',
  'clock_GHz',
  'read_bandwidth',
  'x'.repeat(200),
];

/** Names the files refer to each other by: levels, dataspaces, dims. */
const TOKENS = [
  'DRAM',
  'shared_glb',
  'psum_spad',
  'weights_spad',
  'ifmap_spad',
  'GlobalBuffer',
  'PEWeightRegs',
  'pe_spad',
  'Weights',
  'Inputs',
  'Outputs',
  'R',
  'S',
  'P',
  'Q',
  'C',
  'K',
  'N',
  'temporal',
  'spatial',
  'bypass',
  'datatype',
  'smartbuffer_SRAM',
  'regfile',
  'intmac',
  'CNN-Layer',
  'Depthwise-CNN-Layer',
];

/** Whole YAML fragments: aliases, bombs, nesting, tags, documents. */
function snippet(r: Rng): string {
  const depth = pick(r, [3, 65, 200, 5000]);
  const options = [
    'x: &x [*x]\n',
    'y: *nope\n',
    'a: &a [1, 2]\nb: [*a, *a, *a]\n',
    Array.from({ length: 9 }, (_, i) =>
      i === 0
        ? 'l0: &l0 [x, x, x, x, x, x, x, x]'
        : `l${i}: &l${i} [${Array(8)
            .fill(`*l${i - 1}`)
            .join(', ')}]`,
    ).join('\n') + '\n',
    `deep: ${'['.repeat(depth)}${']'.repeat(depth)}\n`,
    `deep: ${'{a: '.repeat(Math.min(depth, 300))}1${'}'.repeat(Math.min(depth, 300))}\n`,
    '---\nsecond: document\n',
    '%YAML 1.2\n---\n',
    '? [complex, key]\n: value\n',
    '!Component\n',
    '<<: {merged: 1}\n',
    'dup: 1\ndup: 2\n',
    '\t\tindented: with tabs\n',
    '"\\x00\\x1f": control\n',
    '\uFEFFbom: 1\n',
  ];
  return pick(r, options);
}

/** One random edit of a YAML text. */
function mutateOnce(r: Rng, text: string): string {
  const lines = text.split('\n');
  const li = int(r, lines.length);
  const line = lines[li] ?? '';
  switch (int(r, 12)) {
    case 0: {
      // a value replaced
      const m = /^(\s*(?:- )?[^:#]+:\s*)(.+)$/.exec(line);
      if (m) lines[li] = m[1] + pick(r, VALUES);
      else lines[li] = line + ' ' + pick(r, VALUES);
      return lines.join('\n');
    }
    case 1: {
      // a key replaced
      const m = /^(\s*(?:- )?)([^:#\s]+)(:.*)$/.exec(line);
      if (m) lines[li] = m[1] + pick(r, KEYS) + m[3];
      return lines.join('\n');
    }
    case 2:
      lines.splice(li, 1);
      return lines.join('\n');
    case 3:
      lines.splice(li, 0, line);
      return lines.join('\n');
    case 4: {
      const lj = int(r, lines.length);
      [lines[li], lines[lj]] = [lines[lj] ?? '', line];
      return lines.join('\n');
    }
    case 5:
      lines[li] = r() < 0.5 ? `  ${line}` : line.replace(/^ {1,2}/, '');
      return lines.join('\n');
    case 6:
      return text.slice(0, int(r, text.length + 1));
    case 7: {
      const at = int(r, text.length + 1);
      const junk = pick(r, ['[', '{', ']', '}', '*', '&', '!', '%', ':', '\t', '\0', '"', "'", '#', '- ', '\n', '\r', '\\', '@', '`', '|', '>']);
      return text.slice(0, at) + junk + text.slice(at);
    }
    case 8: {
      const at = r() < 0.5 ? text.length : text.indexOf('\n', int(r, text.length)) + 1;
      return text.slice(0, at) + snippet(r) + text.slice(at);
    }
    case 9: {
      // a cross-reference (level, dataspace, dim, class) replaced by another
      const found = TOKENS.filter((t) => text.includes(t));
      if (found.length === 0) return text;
      const from = pick(r, found);
      let k = -1;
      const nth = int(r, 4);
      return text.replace(new RegExp(`\\b${from}\\b`, 'g'), (s) => (++k === nth ? pick(r, [...TOKENS, 'nope', '__proto__', '']) : s));
    }
    case 10: {
      // a number scaled (keeping dims within the range the exact model represents)
      const nums = [...line.matchAll(/-?\d+(\.\d+)?/g)];
      if (nums.length === 0) return text;
      const n = pick(r, nums);
      const v = Number(n[0]) * pick(r, [0, -1, 2, 3, 7, 10, 0.5, 1000]);
      lines[li] = line.slice(0, n.index) + String(v) + line.slice(n.index! + n[0].length);
      return lines.join('\n');
    }
    default: {
      // a value turned into a list or a map
      const m = /^(\s*(?:- )?[^:#]+:\s*)(.+)$/.exec(line);
      if (m) lines[li] = m[1] + (r() < 0.5 ? `[${m[2]}, ${m[2]}]` : `{v: ${m[2]}}`);
      return lines.join('\n');
    }
  }
}

/** 1-3 random edits. */
export function mutateYaml(r: Rng, text: string): string {
  let t = text;
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) t = mutateOnce(r, t);
  return t;
}

/** Values for command-line flags. */
export const FLAG_VALUES = [
  '0',
  '1',
  '2',
  '-1',
  '1.5',
  '0x10',
  '0b1',
  '1e3',
  '1e400',
  '',
  ' ',
  'none',
  'abc',
  '1,2',
  '100,0.5',
  '100,,200',
  '3,3,3',
  'constructor',
  '__proto__',
  'toString',
  'a\nb',
  'x'.repeat(500),
  'NaN',
  'Infinity',
  '007',
  '+5',
  '9007199254740993',
  'edp',
  'latency',
  'energy',
  'random',
  'genetic',
  'annealing',
  'codesign',
  'digamma',
  'gradient',
  'bayes',
  'resnet18',
  'alexnet',
  'eyeriss-like',
  'simba_like',
  'Simple-WS',
  '/dev/zero',
  '/proc/self/status',
  '/nonexistent/file.yaml',
  '.',
  '-',
  '--json',
];

/** Flags by command, for the command-line part of the fuzz loop. */
export const FLAGS: Record<string, string[]> = {
  networks: ['--json', '--batch', '--seq-len', '--network'],
  archs: ['--json', '--export'],
  evaluate: [
    '--arch',
    '--network',
    '--batch',
    '--seq-len',
    '--json',
    '--no-constraints',
    '--constraints',
    '--problem',
    '--mapping',
    '--ert',
    '--art',
  ],
  optimize: [
    '--arch',
    '--network',
    '--layers',
    '--objective',
    '--seed',
    '--method',
    '--batch',
    '--json',
    '--no-constraints',
    '--constraints',
    '--problem',
  ],
  pareto: [
    '--network',
    '--template',
    '--layers',
    '--power-budgets',
    '--area-budget',
    '--objective',
    '--seed',
    '--batch',
    '--json',
    '--no-constraints',
    '--constraints',
    '--compare-weighted-sum',
    '--method',
    '--no-leakage',
  ],
  check: ['--arch', '--problem', '--mapping', '--constraints', '--json', '--ert', '--art'],
};

/** Flags that take no value. */
export const BOOLEAN_FLAGS = new Set(['--json', '--no-constraints', '--compare-weighted-sum', '--no-leakage']);

/**
 * What must hold for every run: exit 0, 1 or 2 (never 3, an internal error); stderr lines all `codesign: ...`, one
 * line for exit 2; no stack trace; on exit 0 no non-finite, negative or null number in the output (null only where a
 * format says so). Returns a description of the first problem, or null.
 */
export function judge(r: { code: number; out: string; err: string }, json: boolean): string | null {
  if (r.code === 3) return `internal error: ${r.err.trim()}`;
  if (![0, 1, 2].includes(r.code)) return `exit ${r.code}`;
  if (/\n\s+at .+:\d+:\d+/.test(r.err) || /\n\s+at .+:\d+:\d+/.test(r.out)) return 'a stack trace';
  const lines = r.err === '' ? [] : r.err.replace(/\n$/, '').split('\n');
  if (r.err !== '' && !r.err.endsWith('\n')) return `stderr without a final newline: ${JSON.stringify(r.err)}`;
  for (const l of lines) if (!l.startsWith('codesign: ')) return `a stderr line not of the form "codesign: ...": ${JSON.stringify(l)}`;
  if (r.code === 2 && lines.length !== 1) return `exit 2 with ${lines.length} lines on stderr: ${JSON.stringify(r.err)}`;
  if (r.code !== 0 && lines.length === 0) return `exit ${r.code} without a message`;
  if (r.code !== 0) return null;
  const text = r.out.trim();
  if (json || text.startsWith('{') || text.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(r.out);
    } catch {
      return `--json output is not one JSON value: ${r.out.slice(0, 200)}`;
    }
    return badNumber(v, '');
  }
  const m = /\b(NaN|Infinity|undefined|null)\b|(^|[\s(=:,/])-\d/m.exec(r.out);
  return m ? `"${m[0].trim()}" in the output: ...${r.out.slice(Math.max(0, m.index - 80), m.index + 40)}...` : null;
}

/** JSON fields that may be null by their format (budgets absent, unbounded capacities, keeps "any", no bandwidth limit). */
const NULLABLE = new Set(['power_mW', 'area_mm2', 'weighted_sum', 'weighted', 'capacityWords', 'keeps', 'readBandwidth', 'writeBandwidth', 'layers']);

function badNumber(v: unknown, path: string): string | null {
  if (v === null) return NULLABLE.has(path.split('.').pop() ?? '') ? null : `null at ${path}`;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? null : `${v} at ${path}`;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const b = badNumber(x, `${path}[${i}]`);
      if (b) return b;
    }
    return null;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const b = badNumber(x, path ? `${path}.${k}` : k);
      if (b) return b;
    }
  }
  return null;
}
