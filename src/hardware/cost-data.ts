/**
 * Published per-action energies and per-component areas used to fit the hardware cost model (src/hardware/costmodel.ts,
 * fitted by scripts/fit-costs.ts). Every number here was read from the public file named in its `source`; nothing is
 * estimated. Energies are pJ per access of `accessBits` bits (Timeloop's vector access, i.e. one `block-size` block of
 * words; for all points below the block is the full memory width), or pJ per MAC; areas are um^2 per instance.
 *
 * Points are grouped in `family`s: one tool, tool version, estimator and technology node. Families disagree on the
 * absolute scale (e.g. Accelergy's v0.3 Aladdin-table register files vs its v0.4 flip-flop register files differ by
 * ~7x in area per bit), so the fit gives each family its own multiplicative scale and takes only the SHAPE (exponents)
 * from the variation within a family; families with a single point for a quantity carry no shape information and are
 * kept here for reference only. The absolute scale used for a template always comes from the template's own ERT/ART
 * (per-level calibration, see costmodel.ts).
 */

/** Storage cost classes. `regfile` covers register files and small scratchpads (Accelergy smartbuffer_RF/regfile). */
export type StorageCostClass = 'dram' | 'sram' | 'regfile' | 'register';

export interface StorageCostPoint {
  kind: 'storage';
  /** short unique id */
  id: string;
  costClass: StorageCostClass;
  family: string;
  technology: string;
  /** rows x bits per row of one instance */
  depth: number;
  widthBits: number;
  /** bits per action (the vector/block access) */
  accessBits: number;
  banks?: number;
  /** pJ per read / write action of `accessBits` (Timeloop uses the max over argument variants: so do we) */
  read?: number;
  write?: number;
  /** um^2 per instance */
  areaUm2?: number;
  /** repository, path and commit (or the publication) the numbers were read from */
  source: string;
  note?: string;
}

export interface MacCostPoint {
  kind: 'mac';
  id: string;
  family: string;
  technology: string;
  /** operand width in bits */
  datawidth: number;
  /** pJ per MAC */
  energy?: number;
  areaUm2?: number;
  source: string;
  note?: string;
}

export type CostPoint = StorageCostPoint | MacCostPoint;

const EX = 'Accelergy-Project/timeloop-accelergy-exercises';
const SRC = {
  ws2022: `${EX}: exercises/timeloop+accelergy_additional_designs/example_designs/simple_weight_stationary/example_AlexNet_layer1_outputs/timeloop-mapper.{ERT,ART}.yaml @bfda6afeb4785de950954c682615b5dc2afcebaf (Accelergy v0.3, 45nm)`,
  os2022: `${EX}: exercises/timeloop+accelergy_additional_designs/example_designs/simple_output_stationary/example_AlexNet_layer1_outputs/timeloop-mapper.{ERT,ART,defined_input_architecture}.yaml @bfda6afeb4785de950954c682615b5dc2afcebaf (Accelergy v0.3, 45nm)`,
  eyeriss2022art: `${EX}: baseline_designs/example_designs/eyeriss_like/example_AlexNet_layer1_outputs/timeloop-mapper.ART.yaml and timeloop-mapper.stats.txt @7252362fc514af7e5bb5442e1d66c0bc522999cc; arch baseline_designs/example_designs/eyeriss_like/arch/eyeriss_like.yaml @9baa0b417c3900d0a334e08e7276d7d192f3102b (Accelergy v0.3, 45nm)`,
  eyeriss2020: `${EX}: exercises/timeloop+accelergy/ref-output/timeloop-mapper.{ERT_summary,ART,flattened_architecture}.yaml @f5c4bfe8009bc121d158e0ee2f0a8f38918bb6de (Accelergy v0.3 ISPASS 2020 tutorial, 40nm)`,
  isca2021: `${EX}: workspace/exercises/2021.isca/designs/02.2.2-spMspM-tiled/ref-output/timeloop-model.{ERT,ART}.yaml @a59c974ecf2a35b981c9d0a033c83e42ea030f64, flattened_architecture @6379e7ee30154fbe845c5113335bb8a4d21ae9bd (Accelergy v0.3, 45nm)`,
  simba2024: `${EX}: workspace/example_designs/example_designs/simba_like/ref_outputs/default_problem/timeloop-mapper.{ERT,flattened_architecture}.yaml @ac42b2691dfcbf0349796ff875b5a8f47d2e01d2, ART @f2320f38d0a22e4f58c6c3f294581d55bd232af7 (Accelergy v0.4, 45nm)`,
  eyeriss2024: `${EX}: workspace/example_designs/example_designs/eyeriss_like/ref_outputs/default_problem/timeloop-mapper.ERT.yaml @ac42b2691dfcbf0349796ff875b5a8f47d2e01d2, ART and flattened_architecture @09545d3fea96e0d553ffb66a1dec865c538c8e1b (Accelergy v0.4, 32nm)`,
  tutorial2024: `${EX}: workspace/tutorial_exercises/02_interface_and_design_space_exploration_2024/outputs/timeloop-mapper.ERT.yaml @bc2f6b8b617b133c210864d06a60016244787827, ART_summary and flattened_architecture @09545d3fea96e0d553ffb66a1dec865c538c8e1b (Accelergy v0.4, 45nm)`,
  threeLevel: `${EX}: workspace/tutorial_exercises/01_accelergy_timeloop_2020_ispass/timeloop/05-mapper-conv1d+oc-3level/ref-output/null/timeloop-mapper.ERT_summary.yaml @09545d3fea96e0d553ffb66a1dec865c538c8e1b, flattened_architecture @bc2f6b8b617b133c210864d06a60016244787827 (Accelergy v0.4, 40nm)`,
  aladdin:
    'Accelergy-Project/hwcomponents-library: hwcomponents_library/library/aladdin.py @1a2df3efe58affaec4d754b6adac20c1f8ffd441 (Aladdin tables, Shao et al. ISCA 2014, 40nm)',
  horowitz:
    'M. Horowitz, "Computing\'s energy problem", ISSCC 2014 (45nm), as tabulated in stillwater-sc/esim: energysim/database/energy.py (add_8b 0.03, add_32b 0.1, mul_8b 0.2, mul_32b 3.1 pJ)',
};

/** Family labels (one tool/version/estimator/node). The first one is the reference family of the reported fits. */
export const FAMILY = {
  v03: 'accelergy-v0.3-45nm',
  v03_40: 'accelergy-v0.3-40nm',
  v04: 'accelergy-v0.4-45nm',
  v04_32: 'accelergy-v0.4-32nm',
  v04_40: 'accelergy-v0.4-40nm',
  aladdin: 'aladdin-tables-40nm',
  horowitz: 'horowitz-isscc14-45nm',
} as const;

export const STORAGE_COST_POINTS: StorageCostPoint[] = [
  // ---------------------------------------------------------------- DRAM (fixed energy per bit, no on-chip area)
  {
    kind: 'storage',
    id: 'dram-lpddr4-64b',
    costClass: 'dram',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 0,
    widthBits: 64,
    accessBits: 64,
    read: 512,
    write: 512,
    areaUm2: 0,
    source: SRC.ws2022,
    note: 'system.DRAM, LPDDR4 width 64 (area reported as 1 = placeholder, counted 0)',
  },
  {
    kind: 'storage',
    id: 'dram-256b',
    costClass: 'dram',
    family: FAMILY.v04_40,
    technology: '40nm',
    depth: 0,
    widthBits: 256,
    accessBits: 256,
    read: 2048,
    write: 2048,
    source: SRC.threeLevel,
    note: 'MainMemory, DRAM width 256 (CactiDRAM)',
  },

  // ---------------------------------------------------------------- SRAM (CACTI)
  {
    kind: 'storage',
    id: 'sram-192x16-v03',
    costClass: 'sram',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 192,
    widthBits: 16,
    accessBits: 16,
    banks: 1,
    read: 0.727,
    write: 1.086,
    areaUm2: 3087.39,
    source: SRC.os2022,
    note: 'simple_output_stationary pe_spad, smartbuffer_SRAM (CACTI SRAM + address generators), 2 rw ports',
  },
  {
    kind: 'storage',
    id: 'sram-512x32-v03',
    costClass: 'sram',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 512,
    widthBits: 32,
    accessBits: 32,
    banks: 1,
    read: 2.67732,
    write: 3.21261,
    source: SRC.isca2021,
    note: 'BackingStorage data storage of SRAM_metadata (read/write of the data part; area not used: it includes the metadata SRAM)',
  },
  {
    kind: 'storage',
    id: 'sram-16384x64-v03',
    costClass: 'sram',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 16384,
    widthBits: 64,
    accessBits: 64,
    banks: 32,
    read: 74.144,
    write: 75.215,
    areaUm2: 1162549,
    source: `${SRC.ws2022}; area also ${SRC.eyeriss2022art}`,
    note: 'shared_glb 128 KiB smartbuffer_SRAM, 32 banks, 2 rw ports (max over address/data-delta arguments)',
  },
  {
    kind: 'storage',
    id: 'sram-512x128-v04',
    costClass: 'sram',
    family: FAMILY.v04,
    technology: '45nm',
    depth: 512,
    widthBits: 128,
    accessBits: 128,
    banks: 2,
    read: 9.65335,
    write: 12.6203,
    areaUm2: 43608.4,
    source: SRC.tutorial2024,
    note: 'buffer, class SRAM 8 KiB (CACTI)',
  },
  {
    kind: 'storage',
    id: 'sram-2048x256-v04',
    costClass: 'sram',
    family: FAMILY.v04,
    technology: '45nm',
    depth: 2048,
    widthBits: 256,
    accessBits: 256,
    banks: 4,
    read: 51.870888,
    write: 66.310888,
    areaUm2: 199065.0625,
    source: SRC.simba2024,
    note: 'GlobalBuffer 64 KiB smartbuffer_SRAM (CACTI)',
  },
  {
    kind: 'storage',
    id: 'sram-16384x64-v03-40nm',
    costClass: 'sram',
    family: FAMILY.v03_40,
    technology: '40nm',
    depth: 16384,
    widthBits: 64,
    accessBits: 64,
    banks: 32,
    read: 61.212,
    write: 62.034,
    areaUm2: 918862,
    source: SRC.eyeriss2020,
    note: 'shared_glb (max action energies); single point of its family',
  },
  {
    kind: 'storage',
    id: 'sram-32768x64-v04-40nm',
    costClass: 'sram',
    family: FAMILY.v04_40,
    technology: '40nm',
    depth: 32768,
    widthBits: 64,
    accessBits: 64,
    banks: 2,
    read: 43.353054,
    write: 30.878292,
    source: SRC.threeLevel,
    note: 'GlobalBuffer class SRAM 256 KiB (CactiSRAM); single point of its family',
  },
  {
    kind: 'storage',
    id: 'sram-16384x64-v04-32nm',
    costClass: 'sram',
    family: FAMILY.v04_32,
    technology: '32nm',
    depth: 16384,
    widthBits: 64,
    accessBits: 64,
    banks: 32,
    read: 18.183829,
    write: 14.137929,
    areaUm2: 217363.36892,
    source: SRC.eyeriss2024,
    note: 'shared_glb; single point of its family',
  },

  // ---------------------------------------------------------------- register files / scratchpads
  {
    kind: 'storage',
    id: 'rf-12x16-v03',
    costClass: 'regfile',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 12,
    widthBits: 16,
    accessBits: 16,
    read: 0.237,
    write: 0.237,
    areaUm2: 379.68,
    source: `energy ${SRC.eyeriss2020} (the Aladdin tables are node-independent: same values in the 45nm stats below); area ${SRC.eyeriss2022art}`,
    note: 'ifmap_spad smartbuffer_RF (max: storage + address generators)',
  },
  {
    kind: 'storage',
    id: 'rf-16x16-v03',
    costClass: 'regfile',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 16,
    widthBits: 16,
    accessBits: 16,
    read: 0.251,
    write: 0.251,
    areaUm2: 414.68,
    source: `energy ${SRC.eyeriss2020}; area ${SRC.eyeriss2022art}`,
    note: 'psum_spad smartbuffer_RF',
  },
  {
    kind: 'storage',
    id: 'rf-192x16-v03',
    costClass: 'regfile',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 192,
    widthBits: 16,
    accessBits: 16,
    read: 1.586,
    write: 1.586,
    areaUm2: 3634.68,
    source: `${SRC.ws2022}; ${SRC.eyeriss2022art}`,
    note: 'pe_spad / weights_spad smartbuffer_RF',
  },
  {
    kind: 'storage',
    id: 'rf-64x8-v03',
    costClass: 'regfile',
    family: FAMILY.v03,
    technology: '45nm',
    depth: 64,
    widthBits: 8,
    accessBits: 8,
    read: 0.42018,
    write: 0.42018,
    source: SRC.isca2021,
    note: 'Buffer regfile_metadata, data storage 64 x 8 (area not used: includes metadata storage)',
  },
  {
    kind: 'storage',
    id: 'rf-128x24-v04',
    costClass: 'regfile',
    family: FAMILY.v04,
    technology: '45nm',
    depth: 128,
    widthBits: 24,
    accessBits: 24,
    read: 3.091057,
    write: 2.875058,
    areaUm2: 25264.8725,
    source: SRC.simba2024,
    note: 'PEAccuBuffer smartbuffer_RF',
  },
  {
    kind: 'storage',
    id: 'rf-4096x64-v04',
    costClass: 'regfile',
    family: FAMILY.v04,
    technology: '45nm',
    depth: 4096,
    widthBits: 64,
    accessBits: 64,
    read: 121.36387,
    write: 120.78787,
    areaUm2: 1858571.37,
    source: SRC.simba2024,
    note: 'PEWeightBuffer smartbuffer_RF (8 banks)',
  },
  {
    kind: 'storage',
    id: 'rf-8192x64-v04',
    costClass: 'regfile',
    family: FAMILY.v04,
    technology: '45nm',
    depth: 8192,
    widthBits: 64,
    accessBits: 64,
    read: 242.079552,
    write: 241.503552,
    areaUm2: 3717019.6775,
    source: SRC.simba2024,
    note: 'PEInputBuffer smartbuffer_RF',
  },
  {
    kind: 'storage',
    id: 'rf-12x16-v04-32nm',
    costClass: 'regfile',
    family: FAMILY.v04_32,
    technology: '32nm',
    depth: 12,
    widthBits: 16,
    accessBits: 16,
    read: 0.202442,
    write: 0.176713,
    areaUm2: 747.64758,
    source: SRC.eyeriss2024,
    note: 'ifmap_spad',
  },
  {
    kind: 'storage',
    id: 'rf-16x16-v04-32nm',
    costClass: 'regfile',
    family: FAMILY.v04_32,
    technology: '32nm',
    depth: 16,
    widthBits: 16,
    accessBits: 16,
    read: 0.2513,
    write: 0.2191,
    areaUm2: 989.01878,
    source: SRC.eyeriss2024,
    note: 'psum_spad',
  },
  {
    kind: 'storage',
    id: 'rf-192x16-v04-32nm',
    costClass: 'regfile',
    family: FAMILY.v04_32,
    technology: '32nm',
    depth: 192,
    widthBits: 16,
    accessBits: 16,
    read: 1.976602,
    write: 1.881657,
    areaUm2: 11632.88556,
    source: SRC.eyeriss2024,
    note: 'weights_spad',
  },
  {
    kind: 'storage',
    id: 'rf-16x16-regfile-v03-40nm',
    costClass: 'regfile',
    family: FAMILY.v03_40,
    technology: '40nm',
    depth: 16,
    widthBits: 16,
    accessBits: 16,
    read: 0.202,
    write: 0.202,
    areaUm2: 235.68,
    source: `${SRC.eyeriss2020}; area ${SRC.eyeriss2022art}`,
    note: 'DummyBuffer, plain regfile without address generators; single point of its family',
  },
  {
    kind: 'storage',
    id: 'rf-64x8-v04-40nm',
    costClass: 'regfile',
    family: FAMILY.v04_40,
    technology: '40nm',
    depth: 64,
    widthBits: 8,
    accessBits: 8,
    read: 0.42564,
    write: 0.42564,
    source: SRC.threeLevel,
    note: 'RegisterFile class regfile (Aladdin_table); single point of its family',
  },

  // ---------------------------------------------------------------- registers (depth 1)
  {
    kind: 'storage',
    id: 'reg-1b-aladdin',
    costClass: 'register',
    family: FAMILY.aladdin,
    technology: '40nm',
    depth: 1,
    widthBits: 1,
    accessBits: 1,
    read: 0.009,
    write: 0.009,
    areaUm2: 5.98,
    source: SRC.aladdin,
    note: 'AladdinRegister, 1 bit (Accelergy v0.3 charged this per register regardless of width: weight_reg 0.009 pJ, 5.98 um^2 in the 2022 designs)',
  },
  {
    kind: 'storage',
    id: 'reg-512b-v04',
    costClass: 'register',
    family: FAMILY.v04,
    technology: '45nm',
    depth: 1,
    widthBits: 512,
    accessBits: 512,
    read: 0.259899,
    write: 0.080139,
    areaUm2: 3143.9475,
    source: SRC.simba2024,
    note: 'PEWeightRegs, depth 1 x 512 bits (cluster of 64); single point of its family',
  },
];

export const MAC_COST_POINTS: MacCostPoint[] = [
  {
    kind: 'mac',
    id: 'mac-8-v03',
    family: FAMILY.v03,
    technology: '45nm',
    datawidth: 8,
    energy: 0.5608,
    areaUm2: 332.25,
    source: SRC.isca2021,
    note: 'intmac mac_random (Aladdin table); also 0.561 pJ / 332.25 um^2 in the 2022 simba_like example',
  },
  {
    kind: 'mac',
    id: 'mac-16-v03',
    family: FAMILY.v03,
    technology: '45nm',
    datawidth: 16,
    energy: 2.2,
    areaUm2: 1239.5,
    source: `${SRC.ws2022}; ${SRC.eyeriss2022art}`,
    note: 'intmac mac_random (Aladdin table)',
  },
  {
    kind: 'mac',
    id: 'mac-8-aladdin',
    family: FAMILY.aladdin,
    technology: '40nm',
    datawidth: 8,
    energy: 0.845,
    source: SRC.threeLevel,
    note: 'MACC intmac width 8 (Aladdin_table): multiplier 12.68*(8/32)^2 + adder 0.21*(8/32)',
  },
  {
    kind: 'mac',
    id: 'mac-16-aladdin',
    family: FAMILY.aladdin,
    technology: '45nm',
    datawidth: 16,
    energy: 3.275,
    areaUm2: 1726.5,
    source: SRC.tutorial2024,
    note: 'mac (Library = Aladdin multiplier + adder at 16 bits)',
  },
  {
    kind: 'mac',
    id: 'mac-32-aladdin',
    family: FAMILY.aladdin,
    technology: '40nm',
    datawidth: 32,
    energy: 12.89,
    areaUm2: 6628,
    source: SRC.aladdin,
    note: 'AladdinMultiplier 32x32 (12.68 pJ, 6350 um^2) + AladdinAdder 32 (0.21 pJ, 278 um^2)',
  },
  {
    kind: 'mac',
    id: 'mac-8-horowitz',
    family: FAMILY.horowitz,
    technology: '45nm',
    datawidth: 8,
    energy: 0.23,
    source: SRC.horowitz,
    note: '8-bit integer multiply 0.2 + add 0.03',
  },
  {
    kind: 'mac',
    id: 'mac-32-horowitz',
    family: FAMILY.horowitz,
    technology: '45nm',
    datawidth: 32,
    energy: 3.2,
    source: SRC.horowitz,
    note: '32-bit integer multiply 3.1 + add 0.1',
  },
  {
    kind: 'mac',
    id: 'mac-8x16-v04',
    family: FAMILY.v04,
    technology: '45nm',
    datawidth: 8,
    energy: 0.315,
    areaUm2: 417,
    source: SRC.simba2024,
    note: 'intmac multiplier 8 / adder 16; single point of its family',
  },
  {
    kind: 'mac',
    id: 'mac-8x16-v04-32nm',
    family: FAMILY.v04_32,
    technology: '32nm',
    datawidth: 8,
    energy: 0.207692,
    areaUm2: 191.82,
    source: SRC.eyeriss2024,
    note: 'intmac multiplier 8 / adder 16; single point of its family',
  },
];

export const COST_POINTS: CostPoint[] = [...STORAGE_COST_POINTS, ...MAC_COST_POINTS];

/** Data found but not used, and why (listed in the README). */
export const EXCLUDED_SOURCES: { source: string; reason: string }[] = [
  {
    source: `${EX}: baseline_designs/example_designs/simba_like/example_AlexNet_layer1_outputs/timeloop-mapper.{ERT,ART}.yaml @7252362fc514af7e5bb5442e1d66c0bc522999cc`,
    reason:
      'every PE buffer (8 KiB, 4 KiB, 128 x 24) has the same 0.237 pJ and 379.68 um^2 and the 64 KiB GlobalBuffer 1.049 pJ / 180 um^2: size-independent placeholder tables',
  },
  {
    source: 'Accelergy-Project/accelergy-table-based-plug-ins: set_of_table_templates/data/{SRAM,regfile,intmac}.csv',
    reason: 'template rows with placeholder values (e.g. a 45nm 512 x 16 SRAM read = 1.5 pJ, area 0), one size each',
  },
];
