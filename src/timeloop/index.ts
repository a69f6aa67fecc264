/** Timeloop interop: readers and writers for Timeloop's YAML inputs (pure; file helpers in ./files.js). */
export {
  applyEnergyArea,
  buildAccelerator,
  parseArchitecture,
  parseART,
  parseERT,
  timeloopLayout,
  writeArchitectureYaml,
  writeArtYaml,
  writeErtYaml,
  type ArtTable,
  type ErtTable,
  type TextInput,
  type TimeloopArchSource,
} from './arch.js';
export { parseConstraints, writeConstraintsYaml } from './constraints.js';
export { formatLoopNest } from './loop-nest.js';
export { completePermutation, parseMapping, problemDims, writeMappingYaml } from './mapping.js';
export { parseProblem, standardShape, writeProblemYaml } from './problem.js';
export { parseYaml } from './yaml.js';
