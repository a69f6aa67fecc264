/**
 * The four preset templates as data: which variables each preset's `--template` varies by default (a `--vary`
 * string), the optional bandwidth variable (`getTemplate(name, {bandwidth: true})`) and the limit on the PE array.
 * They are built by the same `templateFromAccelerator` as any architecture file; nothing else is preset-specific.
 */
export interface PresetTemplate {
  preset: string;
  description: string;
  vary: string;
  /** appended to `vary` when bandwidth variables are asked for */
  bandwidth: string;
  /** limit on the product of the mesh variables (PEs) */
  maxMeshProduct: number;
}

export const PRESET_TEMPLATES: readonly PresetTemplate[] = [
  {
    preset: 'eyeriss-like',
    description: 'eyeriss-like: 14 x 12 PEs under shared_glb (128 KiB); per PE ifmap_spad (12), weights_spad (192), psum_spad (16), 16-bit',
    vary: 'PE.meshX=1..64,PE.meshY=1..64,shared_glb.depth=1024..262144,ifmap_spad.depth=1..192,weights_spad.depth=12..3072,psum_spad.depth=1..256',
    bandwidth: 'shared_glb.bandwidth=4..64',
    maxMeshProduct: 1024,
  },
  {
    preset: 'simba-like',
    description:
      'simba-like: 16 PEs (16 x 1) under GlobalBuffer (64 KiB); per PE PEInputBuffer, 4 PEWeightBuffer, 4 PEAccuBuffer, 16 PEWeightRegs (fixed), 16 MACs',
    vary: 'PE.meshX=1..64,PE.meshY=1..64,GlobalBuffer.depth=128..32768,PEInputBuffer.depth=64..16384,PEWeightBuffer.depth=32..8192,PEAccuBuffer.depth=8..2048',
    bandwidth: 'GlobalBuffer.bandwidth=4..64',
    maxMeshProduct: 256,
  },
  {
    preset: 'simple-ws',
    description: 'simple-ws: 16 x 16 PEs under shared_glb (128 KiB); per PE pe_spad (192, weights)',
    vary: 'PE.meshX=1..64,PE.meshY=1..64,shared_glb.depth=1024..262144,pe_spad.depth=12..3072',
    bandwidth: 'shared_glb.bandwidth=4..64',
    maxMeshProduct: 1024,
  },
  {
    preset: 'simple-os',
    description: 'simple-os: 16 x 16 PEs under shared_glb (128 KiB); per PE pe_spad (64, outputs)',
    vary: 'PE.meshX=1..64,PE.meshY=1..64,shared_glb.depth=1024..262144,pe_spad.depth=4..1024',
    bandwidth: 'shared_glb.bandwidth=4..64',
    maxMeshProduct: 1024,
  },
];
