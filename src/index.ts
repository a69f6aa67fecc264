/**
 * accel-codesign's library API. The CLI (`codesign`) is a thin layer over these functions.
 * Node-only helpers that read and write files live in `accel-codesign/dist/timeloop/files.js` and
 * `dist/visualization/*-output.js`.
 */
// data: workloads, hardware, mappings, constraints
export * from './workload/layer.js';
export { getNetwork, isOnnxPath, listNetworks, networkMacs, selectLayers, type Network, type NetworkOptions } from './workload/networks.js';
// ONNX import (Node: reads the file): `resolveNetwork('model.onnx', { inputShapes: { input: [1, 3, 224, 224] } })` takes
// a built-in name or a .onnx file; `importOnnx(file, inputShapes)` gives the layers, opset and warnings alone.
export { onnxNetwork, resolveNetwork } from './workload/onnx/network.js';
export { importOnnx, type OnnxImport } from './workload/onnx/import.js';
export { parseInputShapes, type InputShapes } from './workload/onnx/load.js';
export * from './hardware/accelerator.js';
export { exportPreset, getPreset, isPreset, listPresets, presetNames, type Preset, type PresetData } from './hardware/presets.js';
// Hardware templates: a preset (`getTemplate`) or any Timeloop architecture (`templateFromTimeloop(files, vary)`, pure:
// texts in, browser-safe), with the `--vary` specs parsed by `parseVary` (LEVEL.depth=MIN..MAX, NAME.meshX=MIN..MAX,
// NAME.meshY=..., LEVEL.bandwidth=..., datawidth=4,8,16); `templateAtWidth(t, W)` is the template with a W-bit datapath.
export {
  getTemplate,
  templateNames,
  templateFromTimeloop,
  templateFromAccelerator,
  templateAtWidth,
  defaultVary,
  instantiate,
  originalValues,
  legalizeValues,
  checkValues,
  areaOf,
  writeHardwareYaml,
  type HardwareTemplate,
  type HardwareVariable,
  type MeshBinding,
  type TemplateOptions,
} from './hardware/template.js';
export { parseVary, formatVary, type VarySpec, type RangeSpec, type DatawidthSpec } from './hardware/vary.js';
export { scaleDatawidth } from './hardware/datawidth.js';
export * from './mapping/mapping.js';
export * from './mapping/constraints.js';
export { checkMapping, tileExtents, tileWords, tileWordsOf, type Violation } from './mapping/check.js';
export { buildMapSpace, realize, fits, type MapSpace, type Point } from './mapping/mapspace.js';
export { defaultPoint } from './mapping/default.js';
export { InputError, InfeasibleError } from './errors.js';
// Timeloop interop (pure text in, objects out)
export * from './timeloop/index.js';
// the model
export { initBackend } from './model/backend.js';
export type { Candidate } from './model/encode.js';
export { evaluate, evaluateMetrics, type Evaluation, type LevelResult, type DataSpaceCounts, type Metrics } from './model/evaluate.js';
export { evaluateNetworkDefault, networkTotals, type NetworkTotals } from './model/network.js';
export { prepareRelaxed, refreshMasks, relaxedOutputs, type RelaxedBatch } from './model/relaxed.js';
// searches
export { optimizeMappings, type OptimizeOptions, type OptimizeOutput } from './mapper/optimize.js';
export { codesignSearch } from './mapper/codesign-search.js';
export { randomSearch } from './baselines/random-search.js';
export { geneticSearch } from './baselines/genetic.js';
export { simulatedAnnealing } from './baselines/annealing.js';
export { exhaustiveSearch, mapSpaceSize } from './baselines/exhaustive.js';
export { buildTask, Scorer, type Objective, type SearchTask, type SearchResult, type SearchOptions } from './mapper/task.js';
// the fast exact path on flat batches, on one thread or a worker pool (README "Speed")
export { FlatBatch, partition } from './parallel/batch.js';
export { createExactPool, defaultWorkerCount, evaluateBatch, ExactPool, sharedExactPool } from './parallel/pool.js';
export { flattenPoint, pushPoint, scorePoints } from './mapper/flat-score.js';
export { evalFlat, flatBuffers, flattenMapping, type FastMetrics, type FlatCandidates } from './model/fast/evaluate-fast.js';
export { specFor, type LayerSpec } from './model/fast/spec.js';
export { HardwareEvaluator, type Budgets, type Goal, type BudgetedResult } from './coopt/hardware-eval.js';
export { coOptimize, type CoOptOptions, type CoOptPoint } from './coopt/coopt.js';
export { paretoSweep, type SweepOptions, type SweepResult } from './coopt/sweep.js';
export { paretoSweepByWidth, type WidthSweep } from './coopt/sweep-widths.js';
export { COOPT_METHODS, isCoOptMethod, type CoOptMethod } from './coopt/methods.js';
// reports
export { renderReport } from './visualization/report.js';
export type { FrontJson, FrontPoint } from './visualization/front.js';
