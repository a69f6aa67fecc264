/**
 * Hardware cost model: smooth, monotone per-action energy and per-instance area as functions of a buffer's capacity and
 * access width (per storage class), and of the MAC's datawidth.
 *
 * Functional forms (C = capacity in bits of one instance, w = bits per action = blockSize * wordBits, i.e. one Timeloop
 * vector access; x^p for x > 0 is exp(p * ln x)):
 *   DRAM      E_read = E_write = e_bit * w,   area = 0
 *   SRAM      E_action = a * w^alpha * C^beta,          area = c * C^d + e
 *   regfile   E_action = a * w^alpha * C^beta,          area = c * C^d + e      (register files, small scratchpads)
 *   register  E_action = e_bit * w,                      area = a_bit * C
 *   MAC       E = a * W^b,  area = a' * W^b'             (W = datawidth)
 * with all exponents and coefficients >= 0, so every function is smooth and monotone non-decreasing in C, w and W.
 * The parameters (COST_PARAMS) are fitted by scripts/fit-costs.ts to published Accelergy/CACTI/Aladdin figures
 * (src/hardware/cost-data.ts); the fit is not run at runtime.
 *
 * Calibration (the curve gives the shape, the template gives the anchor): a template level with table value T0 at its
 * original size x0 costs T0 * f(x) / f(x0) at size x, i.e. the fitted curve times the per-level multiplier T0 / f(x0).
 * At the original size the ratio is exactly 1, so an instantiated template reproduces its own ERT/ART exactly.
 *
 * Every function has a plain-number version and a tfjs-tensor version (suffix T) computing the same formula, so that the
 * co-optimizer can take gradients through hardware variables.
 */
import type { ArithmeticLevel, StorageLevel } from './accelerator.js';
import type { StorageCostClass } from './cost-data.js';
import { tf } from '../model/backend.js';

export type { StorageCostClass } from './cost-data.js';

type T = tf.Tensor;

/** E = a * accessBits^alpha * capacityBits^beta (pJ per action). */
export interface PowerLaw {
  a: number;
  alpha: number;
  beta: number;
}
/** area = c * capacityBits^d + e (um^2 per instance). */
export interface AreaLaw {
  c: number;
  d: number;
  e: number;
}
/** y = a * datawidth^b. */
export interface WidthLaw {
  a: number;
  b: number;
}

export interface CostParams {
  dram: { energyPerBit: number };
  sram: { read: PowerLaw; write: PowerLaw; area: AreaLaw };
  regfile: { read: PowerLaw; write: PowerLaw; area: AreaLaw };
  register: { readPerBit: number; writePerBit: number; areaPerBit: number };
  mac: { energy: WidthLaw; area: WidthLaw };
}

/**
 * Fitted by `npx tsx scripts/fit-costs.ts` (4 significant digits; `--check` verifies them). Coefficients are those of
 * the reference family (Accelergy v0.3, 45nm); only the exponents matter for a calibrated template.
 */
export const COST_PARAMS: CostParams = {
  dram: { energyPerBit: 8 },
  sram: {
    read: { a: 0.001205, alpha: 0, beta: 0.7955 },
    write: { a: 0.002651, alpha: 0, beta: 0.7396 },
    area: { c: 1.251, d: 0.9845, e: 0 },
  },
  regfile: {
    read: { a: 0.002006, alpha: 0.1727, beta: 0.7907 },
    write: { a: 0.001838, alpha: 0.1687, beta: 0.8063 },
    area: { c: 1.625, d: 0.974, e: 59.55 },
  },
  register: { readPerBit: 0.009, writePerBit: 0.009, areaPerBit: 5.98 },
  mac: { energy: { a: 0.01012, b: 1.937 }, area: { a: 6.086, b: 1.92 } },
};

// ---------------------------------------------------------------- curves (shape functions)

/** x^p for x > 0 (0 for x <= 0 when p > 0; 1 when p = 0). */
function powPos(x: number, p: number): number {
  if (p === 0) return 1;
  return x > 0 ? Math.exp(p * Math.log(x)) : 0;
}
function powPosT(x: T, p: number): T {
  if (p === 0) return tf.onesLike(x);
  return tf.exp(tf.mul(p, tf.log(x)));
}
const asT = (x: T | number): T => (typeof x === 'number' ? tf.scalar(x) : x);

export function storageEnergyCurve(p: PowerLaw, capacityBits: number, accessBits: number): number {
  return p.a * powPos(accessBits, p.alpha) * powPos(capacityBits, p.beta);
}
export function storageEnergyCurveT(p: PowerLaw, capacityBits: T, accessBits: T | number): T {
  return tf.tidy(() => tf.mul(tf.mul(p.a, powPosT(asT(accessBits), p.alpha)), powPosT(capacityBits, p.beta)));
}
export function storageAreaCurve(p: AreaLaw, capacityBits: number): number {
  return p.c * powPos(capacityBits, p.d) + p.e;
}
export function storageAreaCurveT(p: AreaLaw, capacityBits: T): T {
  return tf.tidy(() => tf.add(tf.mul(p.c, powPosT(capacityBits, p.d)), p.e));
}
export function macEnergyCurve(p: WidthLaw, datawidth: number): number {
  return p.a * powPos(datawidth, p.b);
}
export function macEnergyCurveT(p: WidthLaw, datawidth: T): T {
  return tf.tidy(() => tf.mul(p.a, powPosT(datawidth, p.b)));
}
export const macAreaCurve = macEnergyCurve;
export const macAreaCurveT = macEnergyCurveT;

// ---------------------------------------------------------------- per class (fitted curves, reference family scale)

/** The cost class of a Timeloop storage class name (DRAM, SRAM, smartbuffer_SRAM, smartbuffer_RF, regfile, reg_storage...). */
export function storageCostClass(className: string, depth: number | null = null): StorageCostClass {
  if (/dram/i.test(className)) return 'dram';
  if (/reg_storage|register/i.test(className)) return 'register';
  if (/sram/i.test(className)) return 'sram';
  if (/regfile|(^|_)rf($|_)|spad|fifo|latch/i.test(className)) return 'regfile';
  return depth !== null && depth <= 1 ? 'register' : 'sram';
}

/** pJ per read of `accessBits` bits from one instance of `capacityBits` bits (fitted curve, no calibration). */
export function readEnergy(cls: StorageCostClass, capacityBits: number, accessBits: number, params: CostParams = COST_PARAMS): number {
  switch (cls) {
    case 'dram':
      return params.dram.energyPerBit * accessBits;
    case 'register':
      return params.register.readPerBit * accessBits;
    default:
      return storageEnergyCurve(params[cls].read, capacityBits, accessBits);
  }
}
export function writeEnergy(cls: StorageCostClass, capacityBits: number, accessBits: number, params: CostParams = COST_PARAMS): number {
  switch (cls) {
    case 'dram':
      return params.dram.energyPerBit * accessBits;
    case 'register':
      return params.register.writePerBit * accessBits;
    default:
      return storageEnergyCurve(params[cls].write, capacityBits, accessBits);
  }
}
/** um^2 per instance (0 for DRAM: off chip). */
export function storageArea(cls: StorageCostClass, capacityBits: number, params: CostParams = COST_PARAMS): number {
  switch (cls) {
    case 'dram':
      return 0;
    case 'register':
      return params.register.areaPerBit * capacityBits;
    default:
      return storageAreaCurve(params[cls].area, capacityBits);
  }
}

export function readEnergyT(cls: StorageCostClass, capacityBits: T, accessBits: T | number, params: CostParams = COST_PARAMS): T {
  return tf.tidy(() => {
    switch (cls) {
      case 'dram':
        return tf.mul(tf.mul(params.dram.energyPerBit, asT(accessBits)), tf.onesLike(capacityBits));
      case 'register':
        return tf.mul(tf.mul(params.register.readPerBit, asT(accessBits)), tf.onesLike(capacityBits));
      default:
        return storageEnergyCurveT(params[cls].read, capacityBits, accessBits);
    }
  });
}
export function writeEnergyT(cls: StorageCostClass, capacityBits: T, accessBits: T | number, params: CostParams = COST_PARAMS): T {
  return tf.tidy(() => {
    switch (cls) {
      case 'dram':
        return tf.mul(tf.mul(params.dram.energyPerBit, asT(accessBits)), tf.onesLike(capacityBits));
      case 'register':
        return tf.mul(tf.mul(params.register.writePerBit, asT(accessBits)), tf.onesLike(capacityBits));
      default:
        return storageEnergyCurveT(params[cls].write, capacityBits, accessBits);
    }
  });
}
export function storageAreaT(cls: StorageCostClass, capacityBits: T, params: CostParams = COST_PARAMS): T {
  return tf.tidy(() => {
    switch (cls) {
      case 'dram':
        return tf.zerosLike(capacityBits);
      case 'register':
        return tf.mul(params.register.areaPerBit, capacityBits);
      default:
        return storageAreaCurveT(params[cls].area, capacityBits);
    }
  });
}

/** pJ per MAC and um^2 per MAC unit at `datawidth` bits (fitted curves, no calibration). */
export function macEnergy(datawidth: number, params: CostParams = COST_PARAMS): number {
  return macEnergyCurve(params.mac.energy, datawidth);
}
export function macArea(datawidth: number, params: CostParams = COST_PARAMS): number {
  return macAreaCurve(params.mac.area, datawidth);
}
export function macEnergyT(datawidth: T, params: CostParams = COST_PARAMS): T {
  return macEnergyCurveT(params.mac.energy, datawidth);
}
export function macAreaT(datawidth: T, params: CostParams = COST_PARAMS): T {
  return macAreaCurveT(params.mac.area, datawidth);
}

// ---------------------------------------------------------------- calibration to a template

/** A storage level's anchor: its table values at its original size, and the curve values there. */
export interface StorageCalibration {
  name: string;
  costClass: StorageCostClass;
  /** original capacity of one instance in bits (0 for DRAM) and bits per action */
  capacityBits0: number;
  accessBits0: number;
  /** table values at the original size */
  read0: number;
  write0: number;
  leak0: number;
  area0: number;
  /** fitted-curve values at the original size */
  curveRead0: number;
  curveWrite0: number;
  curveArea0: number;
}

/** Bits per action of a level: one vector access = blockSize words of wordBits. */
export function accessBitsOf(l: Pick<StorageLevel, 'blockSize' | 'wordBits'>): number {
  return l.blockSize * l.wordBits;
}
/** Capacity of one instance in bits (depth x width; 0 for unbounded DRAM). */
export function capacityBitsOf(l: Pick<StorageLevel, 'depth' | 'widthBits' | 'className'>): number {
  if (/dram/i.test(l.className) || l.depth === null) return 0;
  return l.depth * l.widthBits;
}

export function calibrateStorage(l: StorageLevel, params: CostParams = COST_PARAMS): StorageCalibration {
  const costClass = storageCostClass(l.className, l.depth);
  const capacityBits0 = capacityBitsOf(l);
  const accessBits0 = accessBitsOf(l);
  return {
    name: l.name,
    costClass,
    capacityBits0,
    accessBits0,
    read0: l.energy.read,
    write0: l.energy.write,
    leak0: l.energy.leak,
    area0: l.areaUm2,
    curveRead0: readEnergy(costClass, capacityBits0, accessBits0, params),
    curveWrite0: writeEnergy(costClass, capacityBits0, accessBits0, params),
    curveArea0: storageArea(costClass, capacityBits0, params),
  };
}

/** The per-level multipliers table value / curve value at the original size (1 where the curve is 0). */
export function calibrationMultipliers(cal: StorageCalibration): { read: number; write: number; area: number } {
  const k = (t: number, c: number): number => (c > 0 ? t / c : 1);
  return { read: k(cal.read0, cal.curveRead0), write: k(cal.write0, cal.curveWrite0), area: k(cal.area0, cal.curveArea0) };
}

export interface StorageCost {
  read: number;
  write: number;
  /** pJ per cycle per instance: the table's leakage scaled with area */
  leak: number;
  area: number;
}

/** T0 * f(x) / f(x0); exactly T0 at x0; T0 when the curve is 0 at x0 (e.g. DRAM area). */
function anchored(t0: number, f: number, f0: number): number {
  return f0 > 0 ? t0 * (f / f0) : t0;
}
function anchoredT(t0: number, f: T, f0: number): T {
  return f0 > 0 ? tf.mul(f, t0 / f0) : tf.mul(tf.onesLike(f), t0);
}

/**
 * Calibrated cost of a level at another size: capacity of one instance in bits and bits per action (default: the
 * original access width). Equals the level's own ERT/ART values at the original size.
 */
export function storageCost(
  cal: StorageCalibration,
  capacityBits: number,
  accessBits: number = cal.accessBits0,
  params: CostParams = COST_PARAMS,
): StorageCost {
  const area = anchored(cal.area0, storageArea(cal.costClass, capacityBits, params), cal.curveArea0);
  return {
    read: anchored(cal.read0, readEnergy(cal.costClass, capacityBits, accessBits, params), cal.curveRead0),
    write: anchored(cal.write0, writeEnergy(cal.costClass, capacityBits, accessBits, params), cal.curveWrite0),
    leak: cal.area0 > 0 ? cal.leak0 * (area / cal.area0) : cal.leak0,
    area,
  };
}

/** Tensor version of `storageCost` (same formula, any shape; capacityBits > 0 except for DRAM). */
export function storageCostT(
  cal: StorageCalibration,
  capacityBits: T,
  accessBits: T | number = cal.accessBits0,
  params: CostParams = COST_PARAMS,
): { read: T; write: T; leak: T; area: T } {
  return tf.tidy(() => {
    const area = anchoredT(cal.area0, storageAreaT(cal.costClass, capacityBits, params), cal.curveArea0);
    return {
      read: anchoredT(cal.read0, readEnergyT(cal.costClass, capacityBits, accessBits, params), cal.curveRead0),
      write: anchoredT(cal.write0, writeEnergyT(cal.costClass, capacityBits, accessBits, params), cal.curveWrite0),
      leak: cal.area0 > 0 ? tf.mul(area, cal.leak0 / cal.area0) : tf.mul(tf.onesLike(area), cal.leak0),
      area,
    };
  });
}

export interface MacCalibration {
  datawidth0: number;
  energy0: number;
  area0: number;
  curveEnergy0: number;
  curveArea0: number;
}

export function calibrateMac(m: ArithmeticLevel, params: CostParams = COST_PARAMS): MacCalibration {
  return {
    datawidth0: m.datawidth,
    energy0: m.energyPerMAC,
    area0: m.areaUm2,
    curveEnergy0: macEnergy(m.datawidth, params),
    curveArea0: macArea(m.datawidth, params),
  };
}
export function macCost(cal: MacCalibration, datawidth: number = cal.datawidth0, params: CostParams = COST_PARAMS): { energy: number; area: number } {
  return {
    energy: anchored(cal.energy0, macEnergy(datawidth, params), cal.curveEnergy0),
    area: anchored(cal.area0, macArea(datawidth, params), cal.curveArea0),
  };
}
export function macCostT(cal: MacCalibration, datawidth: T, params: CostParams = COST_PARAMS): { energy: T; area: T } {
  return tf.tidy(() => ({
    energy: anchoredT(cal.energy0, macEnergyT(datawidth, params), cal.curveEnergy0),
    area: anchoredT(cal.area0, macAreaT(datawidth, params), cal.curveArea0),
  }));
}
