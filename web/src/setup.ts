/**
 * The whole setup of a run, read from and written to the URL (so a link reproduces the run). Bad values give one
 * line naming the parameter and what was expected, as the CLI's flags do.
 */
import { InputError, show } from '../../src/errors.js';

export interface Setup {
  network: string;
  template: string;
  /** mW, null = no power budget */
  budgets: (number | null)[];
  /** mm^2 */
  area: number | null;
  objective: 'latency' | 'edp';
  method: string;
  /** s per point */
  time: number;
  seed: number;
  vary: string;
  /** how many more rounds of seeds an unmet budget gets (each its time per point on every worker) */
  retries: number;
  /** codesign's hardware-search restarts per point (`--restarts`); null = until the time per point is up */
  restarts: number | null;
}

export const DEFAULTS: Setup = {
  network: 'resnet18',
  template: 'eyeriss-like',
  budgets: [200, 400],
  area: null,
  objective: 'latency',
  method: 'codesign',
  time: 10,
  seed: 1,
  vary: '',
  retries: 2,
  restarts: null,
};

const DECIMAL = /^\s*[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function positive(field: string, v: string, expected: string): number {
  const n = DECIMAL.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new InputError('page', field, expected, show(v));
  return n;
}

export function parseBudgetList(v: string): (number | null)[] {
  if (v.trim() === 'none') return [null];
  const list = v.split(',').map((x) => positive('budgets', x, 'a comma-separated list of positive numbers in mW, e.g. 200,400'));
  return [...new Set(list)].sort((a, b) => a - b);
}

/** Field values (strings, from the URL or the form) to a Setup; throws InputError on the first bad one. */
export function parseSetup(get: (k: keyof Setup) => string | null): Setup {
  const s: Setup = { ...DEFAULTS };
  const str = (k: keyof Setup) => get(k)?.trim() || null;
  s.network = str('network') ?? s.network;
  s.template = str('template') ?? s.template;
  const b = str('budgets');
  if (b !== null) s.budgets = parseBudgetList(b);
  const a = str('area');
  s.area = a === null || a === 'none' ? null : positive('area', a, 'one positive area in mm², e.g. 1.5');
  const o = str('objective');
  if (o !== null) {
    if (o !== 'latency' && o !== 'edp') throw new InputError('page', 'objective', 'latency or edp', show(o));
    s.objective = o;
  }
  s.method = str('method') ?? s.method;
  const t = str('time');
  if (t !== null) s.time = positive('time', t, 'seconds per point, a positive number');
  const seed = str('seed');
  if (seed !== null) {
    if (!/^\d+$/.test(seed) || !Number.isSafeInteger(Number(seed))) throw new InputError('page', 'seed', 'a non-negative integer', show(seed));
    s.seed = Number(seed);
  }
  s.vary = str('vary') ?? '';
  const r = str('retries');
  if (r !== null) {
    if (!/^\d$/.test(r) || Number(r) > 5)
      throw new InputError('page', 'retries', 'an integer 0-5 (rounds of new seeds for an unmet budget)', show(r));
    s.retries = Number(r);
  }
  const rs = str('restarts');
  if (rs !== null) {
    if (!/^\d+$/.test(rs) || !Number.isSafeInteger(Number(rs)))
      throw new InputError(
        'page',
        'restarts',
        'a non-negative integer (hardware-search restarts per point), or empty for until the time is up',
        show(rs),
      );
    s.restarts = Number(rs);
  }
  return s;
}

export function setupQuery(s: Setup): string {
  const q = new URLSearchParams({
    network: s.network,
    template: s.template,
    budgets: s.budgets.map((b) => (b === null ? 'none' : String(b))).join(','),
    time: String(s.time),
    seed: String(s.seed),
    objective: s.objective,
    method: s.method,
  });
  if (s.area !== null) q.set('area', String(s.area));
  if (s.vary) q.set('vary', s.vary);
  if (s.retries !== DEFAULTS.retries) q.set('retries', String(s.retries));
  if (s.restarts !== null) q.set('restarts', String(s.restarts));
  return q.toString();
}
