/**
 * The HTML Pareto-front report: string-level checks (self-contained, escaped, works without the optional fields),
 * then the page itself in Debian's Chromium through playwright-core (layout of the plot, tables, clicking a marker
 * or a row). The browser part skips only when /usr/bin/chromium is absent; .ci/run installs it, and under CI=true a
 * missing Chromium is a failure rather than a skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FrontJson, FrontLayer, FrontPoint } from '../src/visualization/front.js';
import { renderReport } from '../src/visualization/report.js';
import { writeReport } from '../src/visualization/write.js';

const CHROMIUM = '/usr/bin/chromium';

// ---------------------------------------------------------------------------------------------------------------
// a synthetic ResNet-18 front on an eyeriss-like template: cycles from MACs / (PEs x utilization) at 1 GHz,
// energy from a per-MAC cost, power = energy / latency

const NET: { name: string; repeat: number; macs: number; util: number }[] = [
  { name: 'conv1', repeat: 1, macs: 118_013_952, util: 0.78 },
  { name: 'layer1_conv3x3', repeat: 4, macs: 115_605_504, util: 0.92 },
  { name: 'layer2_0_conv1', repeat: 1, macs: 57_802_752, util: 0.88 },
  { name: 'layer2_conv3x3', repeat: 3, macs: 115_605_504, util: 0.9 },
  { name: 'layer2_downsample', repeat: 1, macs: 6_422_528, util: 0.55 },
  { name: 'layer3_conv3x3', repeat: 3, macs: 115_605_504, util: 0.86 },
  { name: 'layer4_conv3x3', repeat: 3, macs: 115_605_504, util: 0.74 },
  { name: 'fc', repeat: 1, macs: 512_000, util: 0.21 },
];

function point(
  meshX: number,
  meshY: number,
  glbKi: number,
  utilScale: number,
  budget: FrontPoint['budget'],
  dir: string,
  withLayers = true,
): FrontPoint {
  const pes = meshX * meshY;
  const pJPerMac = 3.1 + 0.004 * pes + glbKi / 64;
  const layers: FrontLayer[] = NET.map((l) => {
    const utilization = Math.min(1, l.util * utilScale);
    return {
      name: l.name,
      repeat: l.repeat,
      cycles: Math.ceil(l.macs / (pes * utilization)),
      energy_pJ: Math.round(l.macs * pJPerMac),
      utilization,
    };
  });
  const cycles = layers.reduce((s, l) => s + l.cycles * l.repeat, 0);
  const energy = layers.reduce((s, l) => s + l.energy_pJ * l.repeat, 0);
  const latency_ms = cycles / 1e6;
  return {
    budget,
    hardware: { template: 'eyeriss-like', meshX, meshY, shared_glb_depth: glbKi * 1024, weights_spad_depth: 192, psum_spad_depth: 16 },
    latency_cycles: cycles,
    latency_ms,
    energy_pJ: energy,
    power_mW: (energy * 1e-6) / latency_ms,
    area_mm2: 0.35 + 0.0105 * pes + 0.012 * glbKi,
    mappings_dir: `out/front/${dir}/mappings`,
    ...(withLayers ? { layers } : {}),
  };
}

function syntheticFront(): FrontJson {
  const meshes: [number, number, number][] = [
    [4, 4, 16],
    [6, 4, 16],
    [8, 6, 32],
    [10, 8, 32],
    [12, 10, 64],
    [14, 12, 64],
    [16, 14, 96],
    [16, 16, 128],
  ];
  const points = meshes.map(([x, y, g], i) => {
    const p = point(x, y, g, 1, { power_mW: null, area_mm2: i < 4 ? 3 : null }, `b${i}`);
    // the budget a bit above what the point draws; the last point misses its budget
    const budget = i === 7 ? Math.floor(p.power_mW * 0.9) : Math.ceil((p.power_mW * 1.08) / 5) * 5;
    return { ...p, budget: { ...p.budget, power_mW: budget }, feasible: i !== 7 };
  });
  const wsMeshes: [number, number, number][] = [
    [6, 6, 32],
    [10, 10, 32],
    [12, 12, 64],
    [14, 14, 96],
    [16, 12, 128],
  ];
  const ws = wsMeshes.map(([x, y, g], i) => point(x, y, g, 0.93, { power_mW: null, area_mm2: null }, `ws${i}`, i !== 4));
  return { points, weighted_sum: { points: ws }, hypervolume: { constrained: 0.7421, weighted_sum: 0.6893 } };
}

const EVIL = '</script><img src=x onerror="window.__pwned=1"><b id="evil">x</b>';

// ---------------------------------------------------------------------------------------------------------------
// string-level checks (no browser)

test('report: one self-contained document with the stable ids, units and no external references', () => {
  const front = syntheticFront();
  const html = renderReport(front, { network: 'resnet18', title: 'ResNet-18 front' });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.equal(html.match(/<html/g)?.length, 1);
  for (const id of ['pareto-plot', 'points-table', 'layer-breakdown', 'chosen-title']) assert.ok(html.includes(`id="${id}"`), id);
  assert.equal(html.match(/<circle class="point[ "]/g)?.length, 8);
  assert.equal(html.match(/class="ws-point[ "]/g)?.length, 5);
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:|\/\/)/i);
  assert.doesNotMatch(html, /@import|url\((?!#)/);
  for (const unit of ['power (mW', 'latency (ms', 'area (mm²)', 'energy (µJ)', 'latency (cycles)']) assert.ok(html.includes(unit), unit);
});

test('report: text and embedded JSON are escaped against injection', () => {
  const front = syntheticFront();
  front.points[0]!.layers![0]!.name = EVIL;
  front.points[0]!.hardware.template = EVIL;
  front.points[0]!.mappings_dir = EVIL;
  const html = renderReport(front, { title: EVIL, network: EVIL, template: EVIL });
  assert.ok(!html.includes('<img'), 'no raw <img');
  assert.ok(!html.includes('<b id="evil">'), 'no raw <b>');
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two script tags close');
  // the JSON still parses back to the same text
  const json = html.match(/<script type="application\/json" id="report-data">([^<]*)<\/script>/)![1]!;
  const data = JSON.parse(json) as { views: { rows: { cells: string[] }[] }[] };
  assert.equal(data.views[0]!.rows[0]!.cells[0], EVIL);
});

test('report: works without layers, feasibility, weighted sum or hypervolume, and with no points', () => {
  const front = syntheticFront();
  const bare: FrontJson = {
    points: front.points.map(({ layers: _l, feasible: _f, ...p }) => p),
  };
  const html = renderReport(bare);
  assert.equal(html.match(/<circle class="point[ "]/g)?.length, 8);
  assert.ok(!html.includes('class="ws-point'));
  assert.ok(html.includes('No per-layer breakdown was recorded for this point.'));
  const empty = renderReport({ points: [], weighted_sum: null, hypervolume: null });
  assert.ok(empty.includes('id="pareto-plot"') && empty.includes('No point'));
  // a point with a missing number and a single point (no span to scale over)
  const one = { ...front.points[0]!, energy_pJ: null as unknown as number };
  const single = renderReport({ points: [one] }, { chosen: 99 });
  assert.ok(single.includes('n/a'));
  assert.equal(single.match(/<circle class="point[ "]/g)?.length, 1);
  assert.doesNotMatch(single, /NaN|Infinity/);
});

// ---------------------------------------------------------------------------------------------------------------
// in Chromium

const missing = !existsSync(CHROMIUM);
const skip =
  missing && !process.env.CI ? `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser test` : false;

test('report in Chromium: plot, tables and point selection', { skip, timeout: 120_000 }, async (t) => {
  assert.ok(!missing, `${CHROMIUM} is missing under CI (.ci/run should have installed it)`);
  const { chromium } = await import('playwright-core');
  const front = syntheticFront();
  const dir = mkdtempSync(join(tmpdir(), 'codesign-report-'));
  const file = join(dir, 'report.html');
  writeReport(file, front, { network: 'resnet18', chosen: 2, title: `ResNet-18 ${EVIL}` });
  const url = pathToFileURL(file).href;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.after(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });

  const box = async (sel: string) => {
    const b = await page.locator(sel).boundingBox();
    assert.ok(b, `${sel} has a box`);
    return b;
  };

  await t.test('the plot renders, with every marker inside the plot area and ordered by power and latency', async () => {
    const svg = await box('#pareto-plot');
    assert.ok(svg.width > 300 && svg.height > 200, `svg ${svg.width} x ${svg.height}`);
    const area = await box('#plot-area');
    const centres = async (sel: string, pts: FrontPoint[]) => {
      const n = await page.locator(sel).count();
      assert.equal(n, pts.length, `${sel} count`);
      const out: { x: number; y: number; p: FrontPoint }[] = [];
      for (let i = 0; i < n; i++) {
        const el = page.locator(`${sel}[data-index="${i}"]`);
        const b = await el.boundingBox();
        assert.ok(b && b.width > 4 && b.height > 4, `${sel} ${i} is drawn`);
        const c = { x: b.x + b.width / 2, y: b.y + b.height / 2, p: pts[i]! };
        assert.ok(c.x > area.x && c.x < area.x + area.width && c.y > area.y && c.y < area.y + area.height, `${sel} ${i} inside the plot area`);
        out.push(c);
      }
      const byPower = [...out].sort((a, b) => a.p.power_mW - b.p.power_mW);
      for (let i = 1; i < byPower.length; i++) assert.ok(byPower[i]!.x > byPower[i - 1]!.x, `${sel}: higher power is further right`);
      const byLatency = [...out].sort((a, b) => a.p.latency_ms - b.p.latency_ms);
      for (let i = 1; i < byLatency.length; i++) assert.ok(byLatency[i]!.y < byLatency[i - 1]!.y, `${sel}: higher latency is higher up`);
    };
    await centres('.point', front.points);
    await centres('.ws-point', front.weighted_sum!.points);
    assert.ok((await page.locator('.budget-line').count()) >= front.points.length, 'a line per power budget');
    assert.equal(await page.locator('.front-line').count(), 1);
  });

  await t.test('the points table has a row per point', async () => {
    assert.equal(await page.locator('#points-table tbody tr').count(), front.points.length + front.weighted_sum!.points.length);
  });

  const shown = async () =>
    page.$$eval('#layer-breakdown tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (c) => c.textContent ?? '')));
  const cyc = (n: number) => n.toLocaleString('en-US');

  await t.test('the breakdown shows the chosen point', async () => {
    assert.match((await page.textContent('#chosen-title')) ?? '', /^#3 \(budgeted front, power ≤ \d+ mW, area ≤ 3 mm²\)$/);
    const rows = await shown();
    const layers = front.points[2]!.layers!;
    assert.deepEqual(
      rows.map((r) => r[0]),
      layers.map((l) => l.name),
    );
    assert.deepEqual(
      rows.map((r) => r[2]),
      layers.map((l) => cyc(l.cycles)),
    );
    assert.equal(await page.locator('.point.selected').getAttribute('data-index'), '2');
  });

  await t.test('clicking a marker or a row changes the chosen point', async () => {
    await page.click('.point[data-index="5"]');
    assert.match((await page.textContent('#chosen-title')) ?? '', /^#6 /);
    assert.deepEqual(
      (await shown()).map((r) => r[2]),
      front.points[5]!.layers!.map((l) => cyc(l.cycles)),
    );
    assert.equal(await page.locator('.point.selected').getAttribute('data-index'), '5');
    assert.equal(await page.locator('#points-table tr.selected td').first().textContent(), '#6');

    await page.click('.ws-point[data-index="1"]');
    assert.match((await page.textContent('#chosen-title')) ?? '', /^WS2 \(weighted-sum front, no budget\)$/);
    assert.deepEqual(
      (await shown()).map((r) => r[2]),
      front.weighted_sum!.points[1]!.layers!.map((l) => cyc(l.cycles)),
    );
    assert.equal(await page.locator('.point.selected').count(), 0);

    await page.click('#points-table tbody tr[data-key="w:4"]');
    assert.match((await page.textContent('#chosen-title')) ?? '', /^WS5 /);
    assert.deepEqual(await shown(), [['No per-layer breakdown was recorded for this point.']]);

    await page.click('#points-table tbody tr[data-key="c:7"]');
    assert.match((await page.textContent('#chosen-title')) ?? '', /^#8 .*infeasible\)$/);
    assert.equal((await shown()).length, NET.length);
  });

  await t.test('escaped text stays text; no errors, no requests beyond the file', async () => {
    assert.equal(await page.locator('#evil').count(), 0);
    assert.ok((await page.title()).includes('</script>'));
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((u) => u !== url),
      [],
    );
  });

  await page.click('.point[data-index="4"]');
  const shot = join(tmpdir(), 'codesign-report.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot: ${shot}`);
});
