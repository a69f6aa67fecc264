export * from './workload/layer.js';
export * from './hardware/accelerator.js';
export * from './mapping/mapping.js';
export * from './mapping/constraints.js';
export { InputError } from './errors.js';
export * from './timeloop/index.js';
export { checkMapping, tileExtents, tileWords, tileWordsOf, type Violation } from './mapping/check.js';
export { exportPreset, getPreset, isPreset, listPresets, presetNames, type Preset, type PresetData } from './hardware/presets.js';
