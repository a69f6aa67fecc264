/**
 * Fit the hardware cost model (src/hardware/costmodel.ts) to the published data points in src/hardware/cost-data.ts and
 * print the fitted parameters and the fit errors. The fitted parameters are committed as constants in costmodel.ts; this
 * script is not run at runtime.
 *
 *   npx tsx scripts/fit-costs.ts            # parameters + per-point errors
 *   npx tsx scripts/fit-costs.ts --json     # the same as JSON
 *   npx tsx scripts/fit-costs.ts --check    # exit 1 if the constants in costmodel.ts differ from a fresh fit
 *
 * Method: least squares on log values (relative errors), Nelder-Mead. Each (quantity, family) gets its own
 * multiplicative scale (fixed effect): the families disagree on absolute values, and the templates are anchored to their
 * own tables anyway, so only the within-family variation determines the exponents. A family with a single point for a
 * quantity is fitted exactly by its scale and carries no shape information: it is reported but left out of the error
 * statistics. The reported coefficient (`a`, `c`, ...) is that of the reference family (accelergy-v0.3-45nm, the
 * generation the reference architectures' tables come from) where it has points.
 */
import { pathToFileURL } from 'node:url';
import { COST_POINTS, FAMILY, MAC_COST_POINTS, STORAGE_COST_POINTS, type StorageCostClass } from '../src/hardware/cost-data.js';
import { COST_PARAMS, macAreaCurve, macEnergyCurve, storageAreaCurve, storageEnergyCurve, type CostParams } from '../src/hardware/costmodel.js';

interface Obs {
  id: string;
  family: string;
  /** model inputs */
  x: { capacityBits: number; accessBits: number; datawidth: number };
  y: number;
}

interface FitResult {
  quantity: string;
  params: Record<string, number>;
  familyScale: Record<string, number>;
  points: { id: string; family: string; data: number; fit: number; relErr: number; used: boolean }[];
  meanRelErr: number;
  maxRelErr: number;
  nUsed: number;
}

/** Minimal Nelder-Mead. */
function nelderMead(f: (x: number[]) => number, x0: number[], opts: { iters?: number; step?: number } = {}): number[] {
  const n = x0.length;
  const iters = opts.iters ?? 20000;
  const step = opts.step ?? 0.5;
  let simplex: { x: number[]; v: number }[] = [{ x: [...x0], v: f(x0) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = x[i]! + step;
    simplex.push({ x, v: f(x) });
  }
  for (let it = 0; it < iters; it++) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.v - best.v) < 1e-16 && it > 200) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const xr = along(-1);
    const vr = f(xr);
    if (vr < best.v) {
      const xe = along(-2);
      const ve = f(xe);
      simplex[n] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < simplex[n - 1]!.v) {
      simplex[n] = { x: xr, v: vr };
    } else {
      const xc = vr < worst.v ? along(-0.5) : along(0.5);
      const vc = f(xc);
      if (vc < Math.min(vr, worst.v)) simplex[n] = { x: xc, v: vc };
      else {
        simplex = simplex.map((s, i) => {
          if (i === 0) return s;
          const x = s.x.map((xi, j) => best.x[j]! + 0.5 * (xi - best.x[j]!));
          return { x, v: f(x) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return simplex[0]!.x;
}

/** Families with >= 2 observations (informative); the reference family first when present. */
function informativeFamilies(obs: Obs[]): string[] {
  const count = new Map<string, number>();
  for (const o of obs) count.set(o.family, (count.get(o.family) ?? 0) + 1);
  const fams = [...count].filter(([, c]) => c >= 2).map(([f]) => f);
  fams.sort((a, b) => (a === FAMILY.v03 ? -1 : b === FAMILY.v03 ? 1 : a.localeCompare(b)));
  return fams;
}

/**
 * Fit y = s_family * model(shape, x): `shape` are the model's own parameters (decoded from an unconstrained vector),
 * the family scales are free (the first informative family's scale is 1 and its coefficient is the reported one).
 */
function fitQuantity(
  quantity: string,
  obs: Obs[],
  decode: (u: number[]) => Record<string, number>,
  model: (p: Record<string, number>, x: Obs['x']) => number,
  u0: number[],
): FitResult {
  const fams = informativeFamilies(obs);
  const used = obs.filter((o) => fams.includes(o.family));
  const nShape = u0.length;
  const loss = (u: number[]): number => {
    const p = decode(u.slice(0, nShape));
    let s = 0;
    for (const o of used) {
      const fi = fams.indexOf(o.family);
      const logScale = fi === 0 ? 0 : u[nShape + fi - 1]!;
      const m = model(p, o.x);
      if (!(m > 0)) return 1e30;
      const r = Math.log(m) + logScale - Math.log(o.y);
      s += r * r;
    }
    return s;
  };
  let u = [...u0, ...new Array<number>(Math.max(0, fams.length - 1)).fill(0)];
  for (let restart = 0; restart < 6; restart++) u = nelderMead(loss, u, { step: restart === 0 ? 0.5 : 0.1 });
  const params = decode(u.slice(0, nShape));
  const familyScale: Record<string, number> = {};
  fams.forEach((f, i) => (familyScale[f] = i === 0 ? 1 : Math.exp(u[nShape + i - 1]!)));
  // singleton families: their own scale (exact), reported for reference only
  for (const o of obs) if (!fams.includes(o.family)) familyScale[o.family] = o.y / model(params, o.x);
  const points = obs.map((o) => {
    const fit = familyScale[o.family]! * model(params, o.x);
    return { id: o.id, family: o.family, data: o.y, fit, relErr: fit / o.y - 1, used: fams.includes(o.family) };
  });
  const errs = points.filter((p) => p.used).map((p) => Math.abs(p.relErr));
  return {
    quantity,
    params,
    familyScale,
    points,
    meanRelErr: errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : 0,
    maxRelErr: errs.length ? Math.max(...errs) : 0,
    nUsed: errs.length,
  };
}

const storageObs = (cls: StorageCostClass, field: 'read' | 'write' | 'areaUm2'): Obs[] =>
  STORAGE_COST_POINTS.filter((p) => p.costClass === cls && p[field] !== undefined).map((p) => ({
    id: p.id,
    family: p.family,
    x: { capacityBits: p.depth * p.widthBits, accessBits: p.accessBits, datawidth: 0 },
    y: p[field]!,
  }));

const macObs = (field: 'energy' | 'areaUm2'): Obs[] =>
  MAC_COST_POINTS.filter((p) => p[field] !== undefined).map((p) => ({ id: p.id, family: p.family, x: { capacityBits: 0, accessBits: 0, datawidth: p.datawidth }, y: p[field]! }));

/** Power law E = a * accessBits^alpha * capacityBits^beta, alpha, beta >= 0. */
function fitEnergy(cls: 'sram' | 'regfile', field: 'read' | 'write', alpha?: number): FitResult {
  if (alpha !== undefined) {
    return fitQuantity(
      `${cls}.${field}`,
      storageObs(cls, field),
      (u) => ({ a: Math.exp(u[0]!), alpha, beta: u[1]! * u[1]! }),
      (p, x) => storageEnergyCurve({ a: p.a!, alpha: p.alpha!, beta: p.beta! }, x.capacityBits, x.accessBits),
      [Math.log(0.01), 0.7],
    );
  }
  return fitQuantity(
    `${cls}.${field}`,
    storageObs(cls, field),
    (u) => ({ a: Math.exp(u[0]!), alpha: u[1]! * u[1]!, beta: u[2]! * u[2]! }),
    (p, x) => storageEnergyCurve({ a: p.a!, alpha: p.alpha!, beta: p.beta! }, x.capacityBits, x.accessBits),
    [Math.log(0.01), 1, 0.7],
  );
}

/** Area = c * capacityBits^d + e, c, d, e >= 0. */
function fitArea(cls: 'sram' | 'regfile'): FitResult {
  return fitQuantity(
    `${cls}.area`,
    storageObs(cls, 'areaUm2'),
    (u) => ({ c: Math.exp(u[0]!), d: u[1]! * u[1]!, e: Math.exp(u[2]!) }),
    (p, x) => storageAreaCurve({ c: p.c!, d: p.d!, e: p.e! }, x.capacityBits),
    [0, 1, Math.log(100)],
  );
}

function fitMac(field: 'energy' | 'areaUm2'): FitResult {
  return fitQuantity(
    `mac.${field === 'energy' ? 'energy' : 'area'}`,
    macObs(field),
    (u) => ({ a: Math.exp(u[0]!), b: u[1]! * u[1]! }),
    (p, x) => (field === 'energy' ? macEnergyCurve({ a: p.a!, b: p.b! }, x.datawidth) : macAreaCurve({ a: p.a!, b: p.b! }, x.datawidth)),
    [Math.log(0.01), 1.4],
  );
}

/**
 * Linear per-bit models (DRAM energy, register energy and area): y = k * bits. The coefficient is the geometric mean of
 * y / bits over the reference family (the first observation's). `pooled`: all families share k (DRAM: both sources give
 * exactly 8 pJ/bit, which checks the linear form across widths); otherwise each family gets its own scale and only
 * families with >= 2 points enter the error statistics (none for registers: the linear form is assumed, not fitted).
 */
function perBit(quantity: string, obs: Obs[], bits: (o: Obs) => number, pooled: boolean): FitResult {
  const logRatio = (o: Obs): number => Math.log(o.y / bits(o));
  const ref = obs.filter((o) => o.family === obs[0]!.family);
  const k = Math.exp(ref.reduce((s, o) => s + logRatio(o), 0) / ref.length);
  const familyScale: Record<string, number> = {};
  const count = new Map<string, number>();
  for (const o of obs) count.set(o.family, (count.get(o.family) ?? 0) + 1);
  for (const o of obs) {
    const fam = obs.filter((q) => q.family === o.family);
    familyScale[o.family] ??= pooled ? 1 : Math.exp(fam.reduce((s, q) => s + logRatio(q), 0) / fam.length) / k;
  }
  const points = obs.map((o) => {
    const fit = familyScale[o.family]! * k * bits(o);
    return { id: o.id, family: o.family, data: o.y, fit, relErr: fit / o.y - 1, used: pooled || count.get(o.family)! >= 2 };
  });
  const errs = points.filter((p) => p.used).map((p) => Math.abs(p.relErr));
  return {
    quantity,
    params: { perBit: k },
    familyScale,
    points,
    meanRelErr: errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : 0,
    maxRelErr: errs.length ? Math.max(...errs) : 0,
    nUsed: errs.length,
  };
}

function fitAll(): { results: FitResult[]; params: CostParams } {
  const results: FitResult[] = [];
  const sramRead = fitEnergy('sram', 'read');
  const sramWrite = fitEnergy('sram', 'write');
  const sramArea = fitArea('sram');
  const rfRead = fitEnergy('regfile', 'read');
  const rfWrite = fitEnergy('regfile', 'write');
  const rfArea = fitArea('regfile');
  const macE = fitMac('energy');
  const macA = fitMac('areaUm2');
  // DRAM reads and writes are equal in every source: fit the reads
  const dram = perBit('dram.energy', storageObs('dram', 'read'), (o) => o.x.accessBits, true);
  const regRead = perBit('register.read', storageObs('register', 'read'), (o) => o.x.accessBits, false);
  const regWrite = perBit('register.write', storageObs('register', 'write'), (o) => o.x.accessBits, false);
  const regArea = perBit('register.area', storageObs('register', 'areaUm2'), (o) => o.x.capacityBits, false);
  results.push(sramRead, sramWrite, sramArea, rfRead, rfWrite, rfArea, regRead, regWrite, regArea, dram, macE, macA);
  const e = (r: FitResult) => ({ a: r.params.a!, alpha: r.params.alpha!, beta: r.params.beta! });
  const ar = (r: FitResult) => ({ c: r.params.c!, d: r.params.d!, e: r.params.e! });
  const params: CostParams = {
    dram: { energyPerBit: dram.params.perBit! },
    sram: { read: e(sramRead), write: e(sramWrite), area: ar(sramArea) },
    regfile: { read: e(rfRead), write: e(rfWrite), area: ar(rfArea) },
    register: { readPerBit: regRead.params.perBit!, writePerBit: regWrite.params.perBit!, areaPerBit: regArea.params.perBit! },
    mac: { energy: { a: macE.params.a!, b: macE.params.b! }, area: { a: macA.params.a!, b: macA.params.b! } },
  };
  return { results, params };
}

/** Round to 4 significant digits (what costmodel.ts stores). */
const sig = (x: number): number => (Math.abs(x) < 1e-6 ? 0 : Number(x.toPrecision(4)));

function roundParams(p: CostParams): CostParams {
  return JSON.parse(JSON.stringify(p), (_k, v) => (typeof v === 'number' ? sig(v) : v)) as CostParams;
}

function main(): void {
  const { results, params } = fitAll();
  const rounded = roundParams(params);
  const args = process.argv.slice(2);
  if (args.includes('--json')) {
    console.log(JSON.stringify({ params: rounded, results }, null, 2));
    return;
  }
  if (args.includes('--check')) {
    const same = JSON.stringify(rounded) === JSON.stringify(roundParams(COST_PARAMS));
    console.log(same ? 'costmodel.ts constants match a fresh fit' : `costmodel.ts constants differ from a fresh fit:\n${JSON.stringify(rounded, null, 2)}`);
    process.exit(same ? 0 : 1);
  }
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  console.log(`data points: ${COST_POINTS.length} (${STORAGE_COST_POINTS.length} storage, ${MAC_COST_POINTS.length} MAC)\n`);
  for (const r of results) {
    const ps = Object.entries(r.params).map(([k, v]) => `${k}=${sig(v)}`).join(' ');
    const stats = r.nUsed > 0 ? `fit over ${r.nUsed} points: mean |rel err| ${pct(r.meanRelErr)}, max ${pct(r.maxRelErr)}` : 'linear form assumed (no family has two points): no error statistics';
    console.log(`${r.quantity}: ${ps}   ${stats}`);
    const scales = Object.entries(r.familyScale).map(([f, s]) => `${f} x${sig(s)}`).join(', ');
    console.log(`  family scales: ${scales}`);
    for (const p of r.points) console.log(`  ${p.used ? ' ' : '*'} ${p.id.padEnd(28)} ${p.family.padEnd(22)} data ${String(sig(p.data)).padStart(10)}  fit ${String(sig(p.fit)).padStart(10)}  ${pct(p.relErr).padStart(7)}`);
  }
  console.log('\n(* = single point of its family for this quantity: fitted by its own scale, no shape information, not in the error statistics)');
  console.log('\nSensitivity (not used): the same energy fits with the width exponent fixed to alpha = 1');
  for (const cls of ['sram', 'regfile'] as const) {
    for (const field of ['read', 'write'] as const) {
      const r = fitEnergy(cls, field, 1);
      console.log(`  ${r.quantity}: a=${sig(r.params.a!)} beta=${sig(r.params.beta!)}  mean |rel err| ${pct(r.meanRelErr)}, max ${pct(r.maxRelErr)}`);
    }
  }
  console.log('\nCOST_PARAMS (paste into src/hardware/costmodel.ts):');
  console.log(JSON.stringify(rounded, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

export { fitAll, roundParams };
