import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fanoutBelow } from '../src/hardware/accelerator.js';
import { buildAccelerator, writeArchitectureYaml, writeArtYaml, writeErtYaml } from '../src/timeloop/arch.js';
import { parseConstraints, writeConstraintsYaml } from '../src/timeloop/constraints.js';
import { parseMapping, writeMappingYaml } from '../src/timeloop/mapping.js';
import { parseProblem, writeProblemYaml } from '../src/timeloop/problem.js';
import { parseYaml } from '../src/timeloop/yaml.js';

const ROOT = 'test/fixtures/timeloop';
const CASES = readdirSync(join(ROOT, 'cases')).sort();
const read = (p: string): string => readFileSync(p, 'utf8');

interface ArchJsonLevel {
  name: string;
  kind: 'storage' | 'arithmetic';
  hierarchical_name: string;
  cls: string;
  instances: number;
  meshX: number;
  meshY: number;
  word_bits: number;
  block_size?: number;
  width_bits?: number;
  depth?: number | null;
  capacity_words?: number | null;
  read_bandwidth_words_per_cycle?: number | null;
  write_bandwidth_words_per_cycle?: number | null;
  fanoutX_to_inner?: number;
  fanoutY_to_inner?: number;
  ert_energy_pJ: Record<string, number>;
  area_um2_per_instance: number;
}
const archJson = new Map<string, { levels: ArchJsonLevel[] }>();
function archInfo(name: string): { levels: ArchJsonLevel[] } {
  if (!archJson.has(name)) archJson.set(name, JSON.parse(read(join(ROOT, 'archs', name, 'arch.json'))));
  return archJson.get(name)!;
}

test('there are 332 reference cases', () => {
  assert.equal(CASES.length, 332);
});

test('every case: arch/ERT/ART, problem, mapping and constraints read, write back and re-read to the same objects', () => {
  for (const id of CASES) {
    const d = join(ROOT, 'cases', id);
    const expected = JSON.parse(read(join(d, 'expected.json')));
    const files = {
      arch: { text: read(join(d, 'arch.yaml')), file: join(d, 'arch.yaml') },
      ert: { text: read(join(d, 'ERT.yaml')), file: join(d, 'ERT.yaml') },
      art: { text: read(join(d, 'ART.yaml')), file: join(d, 'ART.yaml') },
    };
    const { arch, warnings } = buildAccelerator(files);
    assert.deepEqual(warnings, [], id);

    // architecture round trip: objects equal, and the YAML tree is the original one
    const archText = writeArchitectureYaml(arch);
    assert.deepEqual(parseYaml(archText, 'out'), parseYaml(files.arch.text, 'in'), `${id}: arch tree`);
    const again = buildAccelerator({
      arch: { text: archText, file: 'arch.out.yaml' },
      ert: { text: writeErtYaml(arch), file: 'ERT.out.yaml' },
      art: { text: writeArtYaml(arch), file: 'ART.out.yaml' },
    });
    assert.deepEqual(again.warnings, [], id);
    assert.deepEqual(again.arch, arch, `${id}: arch`);

    // architecture against the reference data (arch.json lists the levels in Timeloop's order, MAC first)
    const info = archInfo(expected.arch);
    const storage = info.levels.filter((l) => l.kind === 'storage');
    assert.deepEqual(
      expected.levels.map((l: { name: string }) => l.name),
      [arch.mac.name, ...arch.levels.map((l) => l.name)],
      `${id}: level order`,
    );
    assert.equal(storage.length, arch.levels.length, id);
    storage.forEach((e, s) => {
      const l = arch.levels[s]!;
      const fo = fanoutBelow(arch, s);
      const what = `${id}: ${l.name}`;
      assert.equal(l.name, e.name, what);
      assert.equal(l.hierarchicalName, e.hierarchical_name, what);
      assert.equal(l.className, e.cls, what);
      assert.equal(l.instances, e.instances, what);
      assert.equal(l.meshX, e.meshX, what);
      assert.equal(l.meshY, e.meshY, what);
      assert.equal(l.capacityWords, e.capacity_words, what);
      assert.equal(l.depth, e.depth, what);
      assert.equal(l.widthBits, e.width_bits, what);
      assert.equal(l.blockSize, e.block_size, what);
      assert.equal(l.wordBits, e.word_bits, what);
      assert.equal(l.readBandwidth, e.read_bandwidth_words_per_cycle, what);
      assert.equal(l.writeBandwidth, e.write_bandwidth_words_per_cycle, what);
      assert.equal(fo.x, e.fanoutX_to_inner, what);
      assert.equal(fo.y, e.fanoutY_to_inner, what);
      assert.equal(l.energy.read, e.ert_energy_pJ.read, what);
      assert.equal(l.energy.write, e.ert_energy_pJ.write, what);
      assert.equal(l.areaUm2, e.area_um2_per_instance, what);
    });
    const m = info.levels[0]!;
    assert.equal(arch.mac.name, m.name, id);
    assert.equal(arch.mac.instances, m.instances, id);
    assert.equal(arch.mac.meshX, m.meshX, id);
    assert.equal(arch.mac.meshY, m.meshY, id);
    assert.equal(arch.mac.datawidth, m.word_bits, id);
    assert.equal(arch.mac.energyPerMAC, m.ert_energy_pJ.mac_random ?? m.ert_energy_pJ.compute, id);
    assert.equal(arch.mac.areaUm2, m.area_um2_per_instance, id);

    // problem: same objects, same text as the reference file, dims as expected.json says
    const problemText = read(join(d, 'problem.yaml'));
    const problem = parseProblem(problemText, join(d, 'problem.yaml'), expected.layer);
    const p = expected.problem;
    assert.deepEqual(problem.dims, { K: 1, ...p.dims }, id);
    assert.equal(problem.depthwise, p.depthwise, id);
    assert.deepEqual([problem.Wstride, problem.Hstride, problem.Wdilation, problem.Hdilation], [p.Wstride, p.Hstride, p.Wdilation, p.Hdilation], id);
    assert.equal(writeProblemYaml(problem), problemText, `${id}: problem text`);
    assert.deepEqual(parseProblem(writeProblemYaml(problem), 'problem.out.yaml', expected.layer), problem, id);

    // mapping
    const mapping = parseMapping(read(join(d, 'map.yaml')), join(d, 'map.yaml'), arch, problem);
    assert.equal(mapping.levels.length, arch.levels.length, id);
    const mapText = writeMappingYaml(mapping, arch, problem);
    assert.deepEqual(parseMapping(mapText, 'map.out.yaml', again.arch, problem), mapping, `${id}: mapping`);

    // constraints (mapper cases)
    const cf = join(d, 'constraints.yaml');
    if (existsSync(cf)) {
      const c = parseConstraints(read(cf), cf);
      assert.ok(c.targets.length > 0, id);
      assert.deepEqual(parseConstraints(writeConstraintsYaml(c), 'constraints.out.yaml'), c, `${id}: constraints`);
    }
  }
});

test('the reference map.yaml files are reproduced exactly (except 3 depthwise simba maps without a PEInputBuffer spatial entry)', () => {
  let same = 0;
  for (const id of CASES) {
    const d = join(ROOT, 'cases', id);
    const { arch } = buildAccelerator({ arch: { text: read(join(d, 'arch.yaml')), file: 'arch.yaml' } });
    const problem = parseProblem(read(join(d, 'problem.yaml')), 'problem.yaml');
    const text = read(join(d, 'map.yaml'));
    if (writeMappingYaml(parseMapping(text, 'map.yaml', arch, problem), arch, problem) === text) same++;
  }
  assert.ok(same >= 329, `${same} of 332`);
});

test('architecture presets folder: every arch/ERT/ART/constraints file round-trips', () => {
  for (const name of readdirSync(join(ROOT, 'archs'))) {
    const d = join(ROOT, 'archs', name);
    const { arch, warnings } = buildAccelerator({
      arch: { text: read(join(d, 'arch.yaml')), file: 'arch.yaml' },
      ert: { text: read(join(d, 'ERT.yaml')), file: 'ERT.yaml' },
      art: { text: read(join(d, 'ART.yaml')), file: 'ART.yaml' },
    });
    assert.deepEqual(warnings, []);
    assert.equal(writeArchitectureYaml(arch), read(join(d, 'arch.yaml')), name);
    for (const f of ['constraints.yaml', 'constraints.depthwise.yaml']) {
      const c = parseConstraints(read(join(d, f)), f);
      assert.deepEqual(parseConstraints(writeConstraintsYaml(c), f), c, `${name}/${f}`);
      if (f.includes('depthwise')) {
        for (const t of c.targets) {
          assert.ok(!t.permutation?.includes('K') && t.factors?.K === undefined, `${name}/${f}: no K`);
        }
      }
    }
  }
});
