/**
 * Static power (leakage) of an accelerator: per storage instance as a function of its capacity and width, per MAC as
 * a function of its operand width, fitted to published 45 nm figures (src/hardware/leakage-data.ts, fitted by
 * scripts/fit-leakage.ts; sources and errors in the README).
 *
 * Leakage is a separate term on top of Timeloop's dynamic energy: Timeloop v3.0.3 ignores an ERT `leak` action, so an
 * exported design re-checks in timeloop-model on cycles and dynamic energy, and we add `leakage power x latency` to the
 * energy (and so the leakage power to the power) ourselves. It works from the Accelerator alone (level class names,
 * depth, width, instances; MAC width and instances), so it holds for every template, including ones built from files.
 * A level whose ERT gives a nonzero `leak` (pJ per cycle per instance) keeps that figure instead of the curve.
 */
import { tf } from '../model/backend.js';
import type { Accelerator, StorageLevel } from './accelerator.js';
import type { StorageCostClass } from './cost-data.js';
import { capacityBitsOf, storageCostClass } from './costmodel.js';

type T = tf.Tensor;

export interface LeakParams {
  /** mW per instance = a * bits^beta */
  sram: { a: number; beta: number };
  /** mW per instance = a * bits^beta * width^alpha */
  regfile: { a: number; alpha: number; beta: number };
  register: { perBit: number };
  /** mW per MAC = scale * (mult32 * (w/32)^2 + add32 * (2w/32)) */
  mac: { scale: number; mult32: number; add32: number };
}

/** Fitted by scripts/fit-leakage.ts (`--check` verifies these against a fresh fit). */
export const LEAK_PARAMS: LeakParams = {
  sram: { a: 4.844e-10, beta: 1.193 },
  regfile: { a: 0.00003004, alpha: -1.024, beta: 0.9948 },
  register: { perBit: 3.301e-7 },
  mac: { scale: 0.5806, mult32: 0.08, add32: 0.0024 },
};

/** Leakage of one storage instance (mW) of `bits` capacity and `widthBits` per row; DRAM is off chip (0). */
export function storageLeak(cls: StorageCostClass, bits: number, widthBits: number, p: LeakParams = LEAK_PARAMS): number {
  if (bits <= 0) return 0;
  switch (cls) {
    case 'dram':
      return 0;
    case 'sram':
      return p.sram.a * Math.pow(bits, p.sram.beta);
    case 'regfile':
      return p.regfile.a * Math.pow(bits, p.regfile.beta) * Math.pow(widthBits, p.regfile.alpha);
    case 'register':
      return p.register.perBit * bits;
  }
}

/** Leakage of one MAC (mW) of `datawidth`-bit operands. */
export function macLeak(datawidth: number, p: LeakParams = LEAK_PARAMS): number {
  return p.mac.scale * (p.mac.mult32 * (datawidth / 32) ** 2 + p.mac.add32 * ((2 * datawidth) / 32));
}

/** mW per instance of a level: its ERT `leak` when given (pJ/cycle at the clock), else the fitted curve. */
function levelLeak(l: StorageLevel, clockGHz: number): number {
  if (l.energy.leak > 0) return l.energy.leak * clockGHz;
  return storageLeak(storageCostClass(l.className, l.depth), capacityBitsOf(l), l.widthBits);
}

export interface LeakageBreakdown {
  /** innermost first, as the accelerator's levels */
  levels: { name: string; instances: number; perInstance_mW: number; total_mW: number }[];
  mac: { instances: number; perInstance_mW: number; total_mW: number };
  total_mW: number;
}

/** Leakage power of every component of an accelerator (mW). */
export function leakageOf(arch: Accelerator): LeakageBreakdown {
  const levels = arch.levels.map((l) => {
    const per = levelLeak(l, arch.clockGHz);
    return { name: l.name, instances: l.instances, perInstance_mW: per, total_mW: per * l.instances };
  });
  const perMac = macLeak(arch.mac.datawidth);
  const mac = { instances: arch.mac.instances, perInstance_mW: perMac, total_mW: perMac * arch.mac.instances };
  return { levels, mac, total_mW: levels.reduce((a, l) => a + l.total_mW, 0) + mac.total_mW };
}

/** Leakage energy (pJ) of running `cycles` at the accelerator's clock: mW x ns. */
export function leakageEnergy(leak_mW: number, cycles: number, clockGHz: number): number {
  return (leak_mW * cycles) / clockGHz;
}

/**
 * Tensor version for the relaxed co-optimization: [B] mW of B hardware points of one architecture family (`base`
 * gives the level classes and widths), from [B,S] words per instance, [B,S] instances and [B] MACs; `eLeak` [B,S]
 * (pJ/cycle) for levels whose ERT gives a leak. Differentiable in words and instances.
 */
export function leakagePowerT(base: Accelerator, words: T, instances: T, macInstances: T, eLeak?: T): T {
  return tf.tidy(() => {
    const B = words.shape[0]!;
    const per = base.levels.map((l, s) => {
      const w = words.slice([0, s], [B, 1]).reshape([B]);
      if (l.energy.leak > 0 && eLeak) return tf.mul(eLeak.slice([0, s], [B, 1]).reshape([B]), base.clockGHz);
      const cls = storageCostClass(l.className, l.depth);
      if (cls === 'dram' || l.depth === null) return tf.zeros([B]);
      const bits = tf.maximum(tf.mul(w, l.wordBits), 1);
      const p = LEAK_PARAMS;
      if (cls === 'sram') return tf.mul(p.sram.a, tf.exp(tf.mul(p.sram.beta, tf.log(bits))));
      if (cls === 'regfile') return tf.mul(p.regfile.a * Math.pow(l.widthBits, p.regfile.alpha), tf.exp(tf.mul(p.regfile.beta, tf.log(bits))));
      return tf.mul(p.register.perBit, bits);
    });
    const storage = tf.sum(tf.mul(tf.stack(per, 1), instances), 1);
    return tf.add(storage, tf.mul(macInstances, macLeak(base.mac.datawidth)));
  });
}
