/**
 * Fit the leakage model (src/hardware/leakage.ts) to the published figures in src/hardware/leakage-data.ts and print
 * the parameters and the fit errors. The parameters are committed as LEAK_PARAMS in leakage.ts; this script is not run
 * at runtime.
 *
 *   npx tsx scripts/fit-leakage.ts            # parameters + per-point errors
 *   npx tsx scripts/fit-leakage.ts --check    # exit 1 if LEAK_PARAMS differs from a fresh fit
 *
 * Method: linear least squares on log values, one intercept (scale) per family, shared exponents:
 *   SRAM      ln P = ln s_f + beta ln bits               (width and capacity grow together in the data: not separable)
 *   regfile   ln P = ln s_f + beta ln bits + alpha ln width
 *   register  P = a * bits                               (one point)
 *   MAC       P = s * (mult32 (w/32)^2 + add32 (2w/32))  (Aladdin's multiplier/adder leak and its width scaling,
 *                                                        adder 2w wide as in Accelergy's intmac; s from the 45 nm MAC)
 * The reported scale is the reference family's (accelergy-v0.4-45nm, the only 45 nm family with leakage figures).
 */
import { pathToFileURL } from 'node:url';
import { Matrix, solve } from 'ml-matrix';
import { FAMILY } from '../src/hardware/cost-data.js';
import { LEAK_POINTS, type LeakPoint } from '../src/hardware/leakage-data.js';
import { LEAK_PARAMS, storageLeak, macLeak, type LeakParams } from '../src/hardware/leakage.js';

const REF = FAMILY.v04;

function logFit(points: LeakPoint[], withWidth: boolean): { scale: Record<string, number>; beta: number; alpha: number } {
  const fams = [...new Set(points.map((p) => p.family))];
  const cols = fams.length + 1 + (withWidth ? 1 : 0);
  const X = new Matrix(points.length, cols);
  const y = Matrix.columnVector(points.map((p) => Math.log(p.leak_mW)));
  points.forEach((p, i) => {
    X.set(i, fams.indexOf(p.family), 1);
    X.set(i, fams.length, Math.log(p.depth * p.widthBits));
    if (withWidth) X.set(i, fams.length + 1, Math.log(p.widthBits));
  });
  const b = solve(X, y, true).to1DArray();
  return {
    scale: Object.fromEntries(fams.map((f, i) => [f, Math.exp(b[i]!)])),
    beta: b[fams.length]!,
    alpha: withWidth ? b[fams.length + 1]! : 0,
  };
}

const r4 = (x: number) => Number(x.toPrecision(4));

export function fitLeakage(): {
  params: LeakParams;
  errors: { id: string; family: string; data: number; fit: number; relErr: number; used: boolean }[];
} {
  const of = (c: LeakPoint['component']) => LEAK_POINTS.filter((p) => p.component === c);
  const sram = logFit(of('sram'), false);
  const rf = logFit(of('regfile'), true);
  const reg = of('register')[0]!;
  const mult = of('multiplier')[0]!;
  const add = of('adder')[0]!;
  const mac45 = of('mac').find((p) => p.family === REF)!;
  const shape = (w: number) => mult.leak_mW * (w / 32) ** 2 + add.leak_mW * ((2 * w) / 32);
  const params: LeakParams = {
    sram: { a: r4(sram.scale[REF]!), beta: r4(sram.beta) },
    regfile: { a: r4(rf.scale[REF]!), alpha: r4(rf.alpha), beta: r4(rf.beta) },
    register: { perBit: r4(reg.leak_mW / (reg.depth * reg.widthBits)) },
    mac: { scale: r4(mac45.leak_mW / shape(mac45.widthBits)), mult32: mult.leak_mW, add32: add.leak_mW },
  };
  // errors: each point against the fitted curve at its own family's scale (a family with one point is exact: unused)
  const familyScale = (p: LeakPoint, fit: { scale: Record<string, number> }, ref: number) => (fit.scale[p.family]! / fit.scale[REF]!) * ref;
  const count = (c: string, f: string) => LEAK_POINTS.filter((p) => p.component === c && p.family === f).length;
  const errors = LEAK_POINTS.filter((p) => p.component !== 'multiplier' && p.component !== 'adder').map((p) => {
    let fit: number;
    if (p.component === 'sram') fit = storageLeak('sram', p.depth * p.widthBits, p.widthBits, params) * familyScale(p, sram, 1);
    else if (p.component === 'regfile') fit = storageLeak('regfile', p.depth * p.widthBits, p.widthBits, params) * familyScale(p, rf, 1);
    else if (p.component === 'register') fit = storageLeak('register', p.depth * p.widthBits, p.widthBits, params);
    else fit = p.family === REF ? macLeak(p.widthBits, params) : p.leak_mW;
    return {
      id: p.id,
      family: p.family,
      data: p.leak_mW,
      fit,
      relErr: Math.abs(fit - p.leak_mW) / p.leak_mW,
      used: count(p.component, p.family) > 1 && p.component !== 'mac',
    };
  });
  return { params, errors };
}

function main(): void {
  const { params, errors } = fitLeakage();
  if (process.argv.includes('--check')) {
    const same = JSON.stringify(params) === JSON.stringify(LEAK_PARAMS);
    if (!same) {
      process.stderr.write(`LEAK_PARAMS differ from a fresh fit:\n${JSON.stringify(params)}\n`);
      process.exit(1);
    }
    process.stdout.write('LEAK_PARAMS match a fresh fit\n');
    return;
  }
  process.stdout.write(`LEAK_PARAMS = ${JSON.stringify(params, null, 2)}\n\n`);
  for (const e of errors)
    process.stdout.write(
      `${e.id.padEnd(24)} ${e.family.padEnd(22)} data ${e.data.toExponential(3)} mW  fit ${e.fit.toExponential(3)} mW  ${(100 * e.relErr).toFixed(1)}%${e.used ? '' : ' (single point of its family: exact by its scale)'}\n`,
    );
  for (const c of ['sram', 'regfile']) {
    const used = errors.filter((e) => e.used && e.id.startsWith(c === 'sram' ? 'sram' : 'rf'));
    const mean = used.reduce((a, e) => a + e.relErr, 0) / Math.max(1, used.length);
    const max = Math.max(0, ...used.map((e) => e.relErr));
    process.stdout.write(`${c}: ${used.length} points, mean ${(100 * mean).toFixed(1)}% max ${(100 * max).toFixed(1)}%\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
