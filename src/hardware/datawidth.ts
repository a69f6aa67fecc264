/**
 * Datawidth as a hardware variable (the quantization line of work): the same architecture with a W-bit datapath.
 *
 * The MAC's datawidth is the operand width W0 of the file. At width W every word scales by W / W0: the MACs become
 * W-bit MACs, every storage level's word bits scale by the same ratio (so a 24-bit accumulator over 8-bit operands
 * stays 3x the operands: 12 bits at W = 4, 48 at W = 16), and so does each level's row width. Capacity is held in
 * words: depth and block size (words per row, per vector access) are kept, so every mapping that fits at one width
 * fits at every width, and bandwidths stay in words per cycle. What changes is the bits behind each word, and with
 * them the costs, from the calibrated cost model (costmodel.ts): a storage access and a storage instance cost what
 * the fitted curves give at the scaled bits (roughly proportional to the bits; exactly so for DRAM and registers),
 * a MAC what the fitted MAC curve gives at W bits (about quadratic, exponent 1.94), each anchored so that W = W0
 * returns the file's own values.
 */
import type { Accelerator } from './accelerator.js';
import { accessBitsOf, calibrateMac, calibrateStorage, capacityBitsOf, macCost, storageCost } from './costmodel.js';

const WORD_KEYS = ['word-bits', 'word_bits', 'datawidth'] as const;
const WIDTH_KEYS = ['memory_width', 'width'] as const;

function setPresent(a: Record<string, unknown>, keys: readonly string[], value: number): void {
  for (const k of keys) if (a[k] !== undefined) a[k] = value;
}

/** The operand width of an architecture: its MAC's datawidth in bits. */
export function datawidthOf(arch: Accelerator): number {
  return arch.mac.datawidth;
}

/** The architecture with a `width`-bit datapath (see the file comment). At the file's own width it is a deep copy. */
export function scaleDatawidth(arch: Accelerator, width: number): Accelerator {
  const out = structuredClone(arch);
  const w0 = arch.mac.datawidth;
  if (width === w0) return out;
  out.levels = arch.levels.map((l0, s) => {
    const l = out.levels[s]!;
    const cal = calibrateStorage(l0);
    l.wordBits = Math.max(1, Math.round((l0.wordBits * width) / w0));
    l.widthBits = Math.max(1, Math.round((l0.widthBits * l.wordBits) / l0.wordBits));
    if (l0.capacityWords !== null && l.depth !== null) l.capacityWords = Math.floor((l.depth * l.widthBits) / l.wordBits);
    setPresent(l.attributes, WORD_KEYS, l.wordBits);
    setPresent(l.attributes, WIDTH_KEYS, l.widthBits);
    const c = storageCost(cal, capacityBitsOf(l), accessBitsOf(l));
    l.energy = { read: c.read, write: c.write, leak: c.leak };
    l.areaUm2 = c.area;
    return l;
  });
  const mc = macCost(calibrateMac(arch.mac), width);
  out.mac.datawidth = width;
  setPresent(out.mac.attributes, WORD_KEYS, width);
  // an intmac's Accelergy widths: the multiplier takes the operands, the adder keeps its ratio (as accumulators do)
  setPresent(out.mac.attributes, ['multiplier_width'], width);
  const adder = out.mac.attributes.adder_width;
  if (typeof adder === 'number') out.mac.attributes.adder_width = Math.max(1, Math.round((adder * width) / w0));
  out.mac.energyPerMAC = mc.energy;
  out.mac.areaUm2 = mc.area;
  return out;
}
