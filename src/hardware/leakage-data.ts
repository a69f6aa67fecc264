/**
 * Published leakage (static power) figures used to fit the leakage model (src/hardware/leakage.ts, fitted by
 * scripts/fit-leakage.ts). Every number was read from the public file named in its `source`. Accelergy's ERTs give
 * leakage as a `leak` action in pJ per cycle of `global_cycle_seconds` = 1 ns, i.e. directly in mW per instance
 * (1 pJ / 1 ns = 1 mW); the Aladdin tables give watts (`leak_power`). Families are as in cost-data.ts: each gets its own
 * multiplicative scale and only the variation within a family fixes the exponents.
 */
import { FAMILY, type StorageCostClass } from './cost-data.js';

export interface LeakPoint {
  id: string;
  family: string;
  technology: string;
  component: StorageCostClass | 'multiplier' | 'adder' | 'mac';
  /** storage: rows x bits per row of one instance; arithmetic: operand width in `widthBits`, depth 1 */
  depth: number;
  widthBits: number;
  /** static power of one instance, mW */
  leak_mW: number;
  source: string;
  note?: string;
}

const EX = 'Accelergy-Project/timeloop-accelergy-exercises';
const SRC = {
  simba2024: `${EX}: workspace/example_designs/example_designs/simba_like/ref_outputs/default_problem/timeloop-mapper.ERT.yaml @ac42b2691dfcbf0349796ff875b5a8f47d2e01d2 (Accelergy v0.4, 45nm; CACTI SRAM, library RF)`,
  eyeriss2024: `${EX}: workspace/example_designs/example_designs/eyeriss_like/ref_outputs/default_problem/timeloop-mapper.ERT.yaml @ac42b2691dfcbf0349796ff875b5a8f47d2e01d2 (Accelergy v0.4, 32nm)`,
  tutorial2024: `${EX}: workspace/tutorial_exercises/02_interface_and_design_space_exploration_2024/outputs/timeloop-mapper.ERT.yaml @bc2f6b8b617b133c210864d06a60016244787827 (Accelergy v0.4, 45nm; CACTI SRAM)`,
  aladdin:
    'Accelergy-Project/hwcomponents-library: hwcomponents_library/library/aladdin.py @1a2df3efe58affaec4d754b6adac20c1f8ffd441 (Aladdin tables, Shao et al. ISCA 2014, 40nm; leak_power in W)',
};

export const LEAK_POINTS: LeakPoint[] = [
  // SRAM (CACTI through Accelergy)
  {
    id: 'sram-512x128-v04',
    family: FAMILY.v04,
    technology: '45nm',
    component: 'sram',
    depth: 512,
    widthBits: 128,
    leak_mW: 0.000271,
    source: SRC.tutorial2024,
    note: 'buffer',
  },
  {
    id: 'sram-2048x256-v04',
    family: FAMILY.v04,
    technology: '45nm',
    component: 'sram',
    depth: 2048,
    widthBits: 256,
    leak_mW: 0.003241,
    source: SRC.simba2024,
    note: 'GlobalBuffer',
  },
  {
    id: 'sram-16384x64-v04-32nm',
    family: FAMILY.v04_32,
    technology: '32nm',
    component: 'sram',
    depth: 16384,
    widthBits: 64,
    leak_mW: 0.005652,
    source: SRC.eyeriss2024,
    note: 'shared_glb; single point of its family',
  },
  // register files and scratchpads
  {
    id: 'rf-128x24-v04',
    family: FAMILY.v04,
    technology: '45nm',
    component: 'regfile',
    depth: 128,
    widthBits: 24,
    leak_mW: 0.003416,
    source: SRC.simba2024,
    note: 'PEAccuBuffer',
  },
  {
    id: 'rf-4096x64-v04',
    family: FAMILY.v04,
    technology: '45nm',
    component: 'regfile',
    depth: 4096,
    widthBits: 64,
    leak_mW: 0.104535,
    source: SRC.simba2024,
    note: 'PEWeightBuffer',
  },
  {
    id: 'rf-8192x64-v04',
    family: FAMILY.v04,
    technology: '45nm',
    component: 'regfile',
    depth: 8192,
    widthBits: 64,
    leak_mW: 0.207488,
    source: SRC.simba2024,
    note: 'PEInputBuffer',
  },
  {
    id: 'rf-12x16-v04-32nm',
    family: FAMILY.v04_32,
    technology: '32nm',
    component: 'regfile',
    depth: 12,
    widthBits: 16,
    leak_mW: 0.000101,
    source: SRC.eyeriss2024,
    note: 'ifmap_spad',
  },
  {
    id: 'rf-16x16-v04-32nm',
    family: FAMILY.v04_32,
    technology: '32nm',
    component: 'regfile',
    depth: 16,
    widthBits: 16,
    leak_mW: 0.000134,
    source: SRC.eyeriss2024,
    note: 'psum_spad',
  },
  {
    id: 'rf-192x16-v04-32nm',
    family: FAMILY.v04_32,
    technology: '32nm',
    component: 'regfile',
    depth: 192,
    widthBits: 16,
    leak_mW: 0.001592,
    source: SRC.eyeriss2024,
    note: 'weights_spad',
  },
  // registers
  {
    id: 'reg-512b-v04',
    family: FAMILY.v04,
    technology: '45nm',
    component: 'register',
    depth: 1,
    widthBits: 512,
    leak_mW: 0.000169,
    source: SRC.simba2024,
    note: 'PEWeightRegs; single point (the Aladdin register table has leak 0)',
  },
  // arithmetic
  {
    id: 'mac-8x16-v04',
    family: FAMILY.v04,
    technology: '45nm',
    component: 'mac',
    depth: 1,
    widthBits: 8,
    leak_mW: 0.0036,
    source: SRC.simba2024,
    note: 'intmac multiplier 8 / adder 16',
  },
  {
    id: 'mac-8x16-v04-32nm',
    family: FAMILY.v04_32,
    technology: '32nm',
    component: 'mac',
    depth: 1,
    widthBits: 8,
    leak_mW: 0.002374,
    source: SRC.eyeriss2024,
    note: 'intmac multiplier 8 / adder 16',
  },
  {
    id: 'mult-32-aladdin',
    family: FAMILY.aladdin,
    technology: '40nm',
    component: 'multiplier',
    depth: 1,
    widthBits: 32,
    leak_mW: 0.08,
    source: SRC.aladdin,
    note: 'AladdinMultiplier leak_power 8.00e-5 W; the library scales it quadratically with width',
  },
  {
    id: 'add-32-aladdin',
    family: FAMILY.aladdin,
    technology: '40nm',
    component: 'adder',
    depth: 1,
    widthBits: 32,
    leak_mW: 0.0024,
    source: SRC.aladdin,
    note: 'AladdinAdder leak_power 2.40e-6 W; scaled linearly with width',
  },
];
