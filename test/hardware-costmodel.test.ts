import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COST_POINTS, STORAGE_COST_POINTS } from '../src/hardware/cost-data.js';
import {
  calibrateMac,
  calibrateStorage,
  calibrationMultipliers,
  COST_PARAMS,
  macArea,
  macAreaT,
  macCost,
  macEnergy,
  macEnergyT,
  readEnergy,
  readEnergyT,
  storageArea,
  storageAreaT,
  storageCost,
  storageCostClass,
  storageCostT,
  writeEnergy,
  writeEnergyT,
  type StorageCostClass,
} from '../src/hardware/costmodel.js';
import { getPreset, presetNames } from '../src/hardware/presets.js';
import { initBackend, tf } from '../src/model/backend.js';
import { fitAll, roundParams } from '../scripts/fit-costs.js';

const CLASSES: StorageCostClass[] = ['dram', 'sram', 'regfile', 'register'];
const CAPS = [1, 8, 64, 192, 512, 3072, 16384, 65536, 524288, 1048576, 8388608];
const WIDTHS = [1, 8, 16, 24, 32, 64, 128, 256, 512];
const close = (a: number, b: number, rel = 1e-5): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12);

test('the data table: unique ids, a source for every point, positive values', () => {
  const ids = new Set(COST_POINTS.map((p) => p.id));
  assert.equal(ids.size, COST_POINTS.length);
  for (const p of COST_POINTS) {
    assert.ok(p.source.length > 20, `${p.id}: source`);
    assert.ok(p.family.length > 0 && p.technology.endsWith('nm'), p.id);
    const vals = p.kind === 'mac' ? [p.energy, p.areaUm2] : [p.read, p.write, p.areaUm2];
    assert.ok(
      vals.some((v) => v !== undefined),
      `${p.id}: no value`,
    );
    for (const v of vals) if (v !== undefined) assert.ok(v >= 0 && Number.isFinite(v), `${p.id}: ${v}`);
  }
  for (const p of STORAGE_COST_POINTS) if (p.costClass !== 'dram') assert.ok(p.depth >= 1 && p.widthBits >= 1, p.id);
});

test('the committed COST_PARAMS are what scripts/fit-costs.ts fits (4 significant digits)', () => {
  const { params, results } = fitAll();
  assert.deepEqual(roundParams(params), roundParams(COST_PARAMS));
  // every fitted quantity with informative families stays within 35% of its data points
  for (const r of results) if (r.nUsed > 0) assert.ok(r.maxRelErr < 0.35, `${r.quantity}: max rel err ${r.maxRelErr}`);
});

test('all exponents and coefficients are non-negative (monotone by construction)', () => {
  for (const cls of ['sram', 'regfile'] as const) {
    for (const a of ['read', 'write'] as const) {
      const p = COST_PARAMS[cls][a];
      assert.ok(p.a > 0 && p.alpha >= 0 && p.beta >= 0, `${cls}.${a}`);
    }
    const ar = COST_PARAMS[cls].area;
    assert.ok(ar.c > 0 && ar.d >= 0 && ar.e >= 0, `${cls}.area`);
  }
  assert.ok(COST_PARAMS.mac.energy.a > 0 && COST_PARAMS.mac.energy.b >= 0);
  assert.ok(COST_PARAMS.mac.area.a > 0 && COST_PARAMS.mac.area.b >= 0);
});

test('energies and areas are monotone non-decreasing in capacity and width', () => {
  for (const cls of CLASSES) {
    for (const w of WIDTHS) {
      for (let i = 1; i < CAPS.length; i++) {
        const [c0, c1] = [CAPS[i - 1]!, CAPS[i]!];
        assert.ok(readEnergy(cls, c1, w) >= readEnergy(cls, c0, w), `${cls} read in capacity at w=${w}`);
        assert.ok(writeEnergy(cls, c1, w) >= writeEnergy(cls, c0, w), `${cls} write in capacity`);
        assert.ok(storageArea(cls, c1) >= storageArea(cls, c0), `${cls} area in capacity`);
      }
    }
    for (const c of CAPS) {
      for (let i = 1; i < WIDTHS.length; i++) {
        const [w0, w1] = [WIDTHS[i - 1]!, WIDTHS[i]!];
        assert.ok(readEnergy(cls, c, w1) >= readEnergy(cls, c, w0), `${cls} read in width at C=${c}`);
        assert.ok(writeEnergy(cls, c, w1) >= writeEnergy(cls, c, w0), `${cls} write in width`);
      }
    }
  }
  for (let w = 2; w <= 64; w++) {
    assert.ok(macEnergy(w) > macEnergy(w - 1));
    assert.ok(macArea(w) > macArea(w - 1));
  }
  // DRAM: a fixed energy per bit, no area
  assert.equal(readEnergy('dram', 0, 64), 512);
  assert.equal(storageArea('dram', 1e9), 0);
});

test('storage classes of the reference architectures', () => {
  assert.equal(storageCostClass('DRAM'), 'dram');
  assert.equal(storageCostClass('smartbuffer_SRAM'), 'sram');
  assert.equal(storageCostClass('SRAM'), 'sram');
  assert.equal(storageCostClass('smartbuffer_RF'), 'regfile');
  assert.equal(storageCostClass('regfile'), 'regfile');
  assert.equal(storageCostClass('reg_storage'), 'register');
});

test('tensor versions compute the same formula as the number versions', async () => {
  await initBackend('cpu');
  const caps: number[] = [];
  const widths: number[] = [];
  for (const c of CAPS) for (const w of WIDTHS) (caps.push(c), widths.push(w));
  for (const cls of CLASSES) {
    const [r, w, a] = tf.tidy(() => {
      const C = tf.tensor1d(caps);
      const W = tf.tensor1d(widths);
      return [readEnergyT(cls, C, W), writeEnergyT(cls, C, W), storageAreaT(cls, C)].map((x) => Array.from(x.dataSync()));
    });
    caps.forEach((c, i) => {
      assert.ok(close(r![i]!, readEnergy(cls, c, widths[i]!)), `${cls} read ${c} ${widths[i]}: ${r![i]} vs ${readEnergy(cls, c, widths[i]!)}`);
      assert.ok(close(w![i]!, writeEnergy(cls, c, widths[i]!)), `${cls} write`);
      assert.ok(close(a![i]!, storageArea(cls, c)), `${cls} area`);
    });
  }
  const ws = [4, 8, 12, 16, 24, 32];
  const [e, a] = tf.tidy(() => [macEnergyT(tf.tensor1d(ws)), macAreaT(tf.tensor1d(ws))].map((x) => Array.from(x.dataSync())));
  ws.forEach((w, i) => {
    assert.ok(close(e![i]!, macEnergy(w)));
    assert.ok(close(a![i]!, macArea(w)));
  });
});

test('gradients of the tensor versions are finite, non-negative and match finite differences', async () => {
  await initBackend('cpu');
  for (const cls of ['sram', 'regfile', 'register'] as const) {
    for (const c of [16, 3072, 1048576]) {
      for (const wd of [8, 64]) {
        const f = (logC: tf.Tensor, logW: tf.Tensor): tf.Tensor =>
          tf
            .add(tf.add(readEnergyT(cls, tf.exp(logC), tf.exp(logW)), writeEnergyT(cls, tf.exp(logC), tf.exp(logW))), storageAreaT(cls, tf.exp(logC)))
            .sum();
        const [gC, gW] = tf.tidy(() =>
          tf
            .grads(f)([tf.tensor1d([Math.log(c)]), tf.tensor1d([Math.log(wd)])])
            .map((g) => g.dataSync()[0]!),
        );
        assert.ok(Number.isFinite(gC!) && gC! >= 0, `${cls} d/dlogC ${gC}`);
        assert.ok(Number.isFinite(gW!) && gW! >= 0, `${cls} d/dlogW ${gW}`);
        // finite difference in float64 on the number version
        const g = (lc: number, lw: number): number =>
          readEnergy(cls, Math.exp(lc), Math.exp(lw)) + writeEnergy(cls, Math.exp(lc), Math.exp(lw)) + storageArea(cls, Math.exp(lc));
        const h = 1e-4;
        const fdC = (g(Math.log(c) + h, Math.log(wd)) - g(Math.log(c) - h, Math.log(wd))) / (2 * h);
        assert.ok(Math.abs(fdC - gC!) <= 1e-3 * Math.max(1, Math.abs(fdC)), `${cls} C=${c}: autodiff ${gC} vs fd ${fdC}`);
      }
    }
  }
  const gm = tf.tidy(() =>
    tf
      .grad((lw: tf.Tensor) => tf.add(macEnergyT(tf.exp(lw)), macAreaT(tf.exp(lw))).sum())(tf.tensor1d([Math.log(8), Math.log(16)]))
      .dataSync(),
  );
  for (const v of gm) assert.ok(Number.isFinite(v) && v > 0);
});

test('calibration: at the original size every level of every preset reproduces its own ERT/ART exactly', () => {
  for (const name of presetNames()) {
    const arch = getPreset(name).arch;
    for (const l of arch.levels) {
      const cal = calibrateStorage(l);
      const c = storageCost(cal, cal.capacityBits0);
      assert.equal(c.read, l.energy.read, `${name}.${l.name} read`);
      assert.equal(c.write, l.energy.write, `${name}.${l.name} write`);
      assert.equal(c.area, l.areaUm2, `${name}.${l.name} area`);
      assert.equal(c.leak, l.energy.leak, `${name}.${l.name} leak`);
      const k = calibrationMultipliers(cal);
      for (const v of Object.values(k)) assert.ok(Number.isFinite(v) && v > 0, `${name}.${l.name} multiplier ${v}`);
      // larger never costs less, smaller never more
      if (cal.costClass !== 'dram') {
        const big = storageCost(cal, cal.capacityBits0 * 4);
        const small = storageCost(cal, cal.capacityBits0 / 4);
        assert.ok(big.read >= c.read && big.write >= c.write && big.area >= c.area, `${name}.${l.name} x4`);
        assert.ok(small.read <= c.read && small.write <= c.write && small.area <= c.area, `${name}.${l.name} /4`);
      }
    }
    const m = calibrateMac(arch.mac);
    assert.deepEqual(macCost(m), { energy: arch.mac.energyPerMAC, area: arch.mac.areaUm2 });
  }
});

test('calibrated tensor cost equals the number version (and the tables at the original size)', async () => {
  await initBackend('cpu');
  const arch = getPreset('simba-like').arch;
  for (const l of arch.levels) {
    const cal = calibrateStorage(l);
    const caps = cal.costClass === 'dram' ? [1, 1] : [cal.capacityBits0, cal.capacityBits0 * 3.7];
    const out = tf.tidy(() => {
      const c = storageCostT(cal, tf.tensor1d(caps));
      return { read: Array.from(c.read.dataSync()), write: Array.from(c.write.dataSync()), area: Array.from(c.area.dataSync()) };
    });
    caps.forEach((cb, i) => {
      const n = storageCost(cal, cal.costClass === 'dram' ? 0 : cb);
      assert.ok(close(out.read[i]!, n.read), `${l.name} read`);
      assert.ok(close(out.write[i]!, n.write), `${l.name} write`);
      assert.ok(close(out.area[i]!, n.area), `${l.name} area`);
    });
    assert.ok(close(out.read[0]!, l.energy.read) && close(out.area[0]!, l.areaUm2), l.name);
  }
});
