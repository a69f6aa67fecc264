import type { DataSpace } from '../workload/layer.js';

/**
 * A storage level. Counts are per instance; energies are per vector access (one block of `blockSize` words),
 * as in Timeloop's ERT.
 */
/** Where a level sits in the architecture tree: what storage and arithmetic levels share. */
export interface LevelPlacement {
  name: string;
  /** Timeloop's dotted path, e.g. system.eyeriss.PE[0..167].psum_spad; ERT/ART tables are keyed by it */
  hierarchicalName: string;
  className: string;
  instances: number;
  meshX: number;
  meshY: number;
}

export interface StorageLevel extends LevelPlacement {
  /** entries (rows) of width `widthBits`; null for DRAM (unbounded) */
  depth: number | null;
  widthBits: number;
  wordBits: number;
  blockSize: number;
  /** words a level holds (depth * width / wordBits); null = unbounded */
  capacityWords: number | null;
  /** words per cycle per instance; null = unlimited */
  readBandwidth: number | null;
  writeBandwidth: number | null;
  sharedBandwidth: number | null;
  /** pJ per vector access; `leak` is pJ per cycle per instance when the table has it */
  energy: { read: number; write: number; leak: number };
  /** um^2 per instance */
  areaUm2: number;
  /** Dataspaces the hardware may hold here (from architecture bypass constraints); null = any */
  hardwareKeep: DataSpace[] | null;
  /** every YAML attribute, so that an architecture can be written back unchanged */
  attributes: Record<string, unknown>;
}

export interface ArithmeticLevel extends LevelPlacement {
  datawidth: number;
  /** pJ per MAC */
  energyPerMAC: number;
  /** um^2 per instance */
  areaUm2: number;
  attributes: Record<string, unknown>;
}

/** Storage levels innermost first (Timeloop's order: index 0 sits next to the MACs, the last is DRAM). */
export interface Accelerator {
  name: string;
  levels: StorageLevel[];
  mac: ArithmeticLevel;
  /** clock used to turn cycles into time and energy into power */
  clockGHz: number;
  technology?: string;
  /** where the architecture came from (e.g. the Timeloop YAML tree's container attributes), so a writer can keep it */
  source?: unknown;
}

/** Spatial fanout directly below storage level s (to level s-1, or to the MACs below level 0). */
export function fanoutBelow(arch: Accelerator, s: number): { x: number; y: number; total: number } {
  const child = s === 0 ? arch.mac : arch.levels[s - 1]!;
  const parent = arch.levels[s]!;
  const x = Math.max(1, Math.round(child.meshX / parent.meshX));
  const total = Math.max(1, Math.round(child.instances / parent.instances));
  const y = Math.max(1, Math.round(total / x));
  return { x, y, total };
}

/** Total area in um^2: instances x area per instance, over storage and MACs. */
export function acceleratorArea(arch: Accelerator): number {
  return arch.levels.reduce((a, l) => a + l.instances * l.areaUm2, 0) + arch.mac.instances * arch.mac.areaUm2;
}
