/** Shared by the co-optimization tests that export points: re-checking them as timeloop-model would. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { leakageEnergy, leakageOf } from '../../src/hardware/leakage.js';
import { evaluate } from '../../src/model/evaluate.js';
import { loadAccelerator, loadMappingFile, loadProblem } from '../../src/timeloop/files.js';
import type { FrontPoint } from '../../src/visualization/front.js';

/**
 * Each layer's exported problem and mapping files, found as a user would: by the `mapping` file summary.json names
 * for it (layer names such as tf2onnx's `model/conv2d/Conv2D` are not file names).
 */
export function layerFiles(pdir: string): Map<string, { problem: string; mapping: string }> {
  const summary = JSON.parse(readFileSync(join(pdir, 'summary.json'), 'utf8')) as { layers: { name: string; mapping: string }[] };
  const files = new Map(
    summary.layers.map((l) => [l.name, { problem: join(pdir, l.mapping.replace(/\.map\.yaml$/, '.problem.yaml')), mapping: join(pdir, l.mapping) }]),
  );
  assert.equal(new Set([...files.values()].map((f) => f.mapping)).size, files.size, `${pdir}: one mapping file per layer`);
  return files;
}

/** Every exported point read back from its Timeloop files and evaluated gives the numbers front.json reports. */
export async function recheck(dir: string, p: FrontPoint): Promise<void> {
  const pdir = join(dir, p.mappings_dir);
  const files = layerFiles(pdir);
  const { arch, warnings } = loadAccelerator({ arch: join(pdir, 'arch.yaml'), ert: join(pdir, 'ERT.yaml'), art: join(pdir, 'ART.yaml') });
  assert.deepEqual(warnings, [], p.mappings_dir);
  const cands = p.layers!.map((l) => {
    const f = files.get(l.name) ?? assert.fail(`${p.mappings_dir}: no files for layer ${l.name}`);
    const problem = loadProblem(f.problem);
    // what timeloop-model would accept (e.g. no spatial directive on a level without a fanout)
    const { mapping, refusals } = loadMappingFile(f.mapping, arch, problem);
    assert.deepEqual(refusals, [], `${p.mappings_dir} ${l.name}`);
    return { problem, arch, mapping };
  });
  const results = await evaluate(cands);
  let cycles = 0;
  let energy = 0;
  p.layers!.forEach((l, i) => {
    assert.equal(results[i]!.cycles, l.cycles, `${p.mappings_dir} ${l.name} cycles`);
    assert.ok(Math.abs(results[i]!.energy_pJ - l.energy_pJ) <= 1e-9 * l.energy_pJ, `${p.mappings_dir} ${l.name} energy`);
    cycles += l.cycles * l.repeat;
    energy += l.energy_pJ * l.repeat;
  });
  assert.equal(cycles, p.latency_cycles);
  // front.json's energy is Timeloop's (dynamic) energy plus the leakage of the read-back hardware over the latency
  const leak = leakageOf(arch).total_mW;
  assert.ok(Math.abs(p.power_breakdown_mW!.leakage - leak) <= 1e-9 * leak, `${p.mappings_dir} leakage`);
  energy += leakageEnergy(leak, cycles, arch.clockGHz);
  assert.ok(Math.abs(energy - p.energy_pJ) <= 1e-9 * energy, `${p.mappings_dir} energy ${energy} vs ${p.energy_pJ}`);
  assert.ok(Math.abs(results[0]!.area_um2 / 1e6 - p.area_mm2) <= 1e-9 * p.area_mm2);
  if (p.hardware.datawidth !== undefined) assert.equal(arch.mac.datawidth, p.hardware.datawidth);
}
