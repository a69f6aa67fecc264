export * from './workload/layer.js';
export * from './hardware/accelerator.js';
export * from './mapping/mapping.js';
export * from './mapping/constraints.js';
export { InputError } from './errors.js';
