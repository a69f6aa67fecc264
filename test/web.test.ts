/**
 * The browser app (web/): built with Vite (reused when web/dist is newer than its sources), served on a free port,
 * driven in Debian's Chromium through playwright-core. A run of ResNet-18 on eyeriss-like with two budgets from the
 * URL, the selected point's layers and its zip read back by the library, a dropped Timeloop problem, a corrupt file,
 * a bad URL parameter, and a phone-size viewport. Skips only when /usr/bin/chromium is absent (a failure under CI).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { strFromU8, unzipSync } from 'fflate';
import { buildIfNeeded, serve } from '../scripts/serve-web.js';
import { buildAccelerator } from '../src/timeloop/arch.js';
import { parseProblem } from '../src/timeloop/problem.js';
import { parseMapping } from '../src/timeloop/mapping.js';
import { checkMapping } from '../src/mapping/check.js';
import { getNetwork } from '../src/workload/networks.js';
import { GraphBuilder } from './helpers/onnx-builder.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
const skip = missing && !process.env.CI ? `${CHROMIUM} not found: install Debian's chromium to run the web app test` : false;

/** The built app on a free port and Debian's Chromium (headless, no GPU), closed when the test ends. */
/** Waits until a run on the page has ended (status `done` or `failed`). */
async function runEnded(page: Page, timeout: number): Promise<void> {
  await page
    .getByTestId('status')
    .filter({ hasText: /^(done|failed)$/ })
    .waitFor({ timeout });
}

async function openApp(t: TestContext): Promise<{ base: string; browser: Browser }> {
  assert.ok(!missing, `${CHROMIUM} is missing under CI (.ci/run should have installed it)`);
  buildIfNeeded();
  const server = await serve(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.after(async () => {
    await browser.close();
    server.close();
  });
  return { base, browser };
}

test('web app in Chromium: a run from the URL, layers, zip export, dropped files, bad input, mobile', { skip, timeout: 300_000 }, async (t) => {
  const { base, browser } = await openApp(t);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // a run from the URL: two budget points, each within its budget
  const t0 = Date.now();
  await page.goto(`${base}?network=resnet18&template=eyeriss-like&budgets=200,400&time=5&seed=1&run=1`);
  await runEnded(page, 240_000);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(await page.getByTestId('error').isVisible(), false, (await page.getByTestId('error').textContent()) ?? '');
  assert.equal(await page.getByTestId('status').textContent(), 'done');
  const points = page.getByTestId('pareto-point');
  assert.equal(await points.count(), 2);
  const powers = await points.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-power-mw'))));
  const cycles = await points.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-latency-cycles'))));
  powers.sort((a, b) => a - b);
  assert.ok(powers[0]! <= 200 * (1 + 1e-6) && powers[1]! <= 400 * (1 + 1e-6), `powers ${powers} within 200, 400 mW`);
  assert.ok(cycles.every((c) => Number.isInteger(c) && c > 0));
  const backend = await page.getByTestId('backend').textContent();
  assert.match(backend ?? '', /^(webgpu|webgl|wasm|cpu)$/);
  const rounds = await page.getByTestId('status').getAttribute('data-rounds');
  t.diagnostic(`run of 2 points: ${seconds.toFixed(1)} s in Chromium (${rounds} round(s)), relaxed stage on ${backend}`);

  // select a point: its layers, then its zip holds Timeloop files the library reads back as valid mappings
  await points.first().click({ force: true }); // one design may serve two budgets: their circles coincide
  const rows = page.getByTestId('layer-row');
  assert.equal(await rows.count(), getNetwork('resnet18').layers.length);
  // the power per component adds up to the point's power
  const parts = await page.getByTestId('power-row').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
  assert.deepEqual(
    parts.map((p) => p[0]),
    ['DRAM', 'shared_glb', 'ifmap_spad', 'weights_spad', 'psum_spad', 'MACs'],
  );
  const sum = parts.reduce((a, p) => a + Number(p[1]) + Number(p[2]), 0);
  const selectedPower = Number(await page.locator('circle.pt.sel').getAttribute('data-power-mw'));
  assert.ok(Math.abs(sum - selectedPower) < 0.05 + 1e-3 * selectedPower, `components sum to ${sum} mW, the point has ${selectedPower} mW`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
  const zip = unzipSync(readFileSync((await download.path())!));
  const text = (name: string) => {
    assert.ok(zip[name], `${name} in the zip (${Object.keys(zip).join(', ')})`);
    return strFromU8(zip[name]!);
  };
  const { arch } = buildAccelerator({
    arch: { text: text('arch.yaml'), file: 'arch.yaml' },
    ert: { text: text('ERT.yaml'), file: 'ERT.yaml' },
    art: { text: text('ART.yaml'), file: 'ART.yaml' },
  });
  const problemsInZip = Object.keys(zip).filter((f) => f.endsWith('.problem.yaml'));
  assert.equal(problemsInZip.length, getNetwork('resnet18').layers.length);
  for (const f of problemsInZip) {
    const problem = parseProblem(text(f), f);
    const mapping = parseMapping(text(f.replace('.problem.yaml', '.map.yaml')), f, arch, problem);
    assert.deepEqual(checkMapping(problem, arch, mapping), [], f);
    assert.ok(zip[f.replace('.problem.yaml', '.constraints.yaml')], `constraints of ${f}`);
  }

  // a corrupt file: one line in the error box, the page stays
  await page.getByTestId('file-input').setInputFiles({ name: 'broken.yaml', mimeType: 'text/yaml', buffer: Buffer.from('problem: [unclosed') });
  await page.getByTestId('error').waitFor({ state: 'visible' });
  assert.match((await page.getByTestId('error').textContent()) ?? '', /broken\.yaml/);
  assert.equal(await points.count(), 2, 'the results stay');

  // a dropped Timeloop problem runs in place of the network
  const problemFile = 'test/fixtures/timeloop/problems/alexnet_conv3.yaml';
  await page.getByTestId('file-input').setInputFiles({ name: 'alexnet_conv3.yaml', mimeType: 'text/yaml', buffer: readFileSync(problemFile) });
  await page.fill('#budgets', '300');
  await page.fill('#time', '1');
  await page.getByTestId('run').click();
  await runEnded(page, 120_000);
  assert.equal(await page.getByTestId('status').textContent(), 'done', (await page.getByTestId('error').textContent()) ?? '');
  assert.equal(await points.count(), 1);
  await points.first().click({ force: true }); // one design may serve two budgets: their circles coincide
  assert.equal(await rows.count(), 1);

  // Stop keeps the best point so far of a budget still being searched (its worker reports it as it goes)
  await page.fill('#time', '30');
  await page.getByTestId('run').click();
  await points.first().waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('status').textContent(), 'running');
  await page.getByTestId('stop').click();
  assert.equal(await page.getByTestId('status').textContent(), 'stopped');
  assert.equal(await points.count(), 1);
  assert.ok(Number(await points.first().getAttribute('data-power-mw')) <= 300 * (1 + 1e-6));
  assert.match((await page.locator('#bars').textContent()) ?? '', /best so far when stopped/);
  await points.first().click({ force: true }); // one design may serve two budgets: their circles coincide
  assert.equal(await rows.count(), 1);
  const [partial] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
  assert.ok(unzipSync(readFileSync((await partial.path())!))['arch.yaml'], 'the stopped point exports its files');
  await page.fill('#time', '1');

  // a dropped Timeloop architecture with its ERT and ART replaces the template (varied as the CLI's default --vary)
  const archDir = 'test/fixtures/timeloop/archs/simple_ws';
  await page
    .getByTestId('file-input')
    .setInputFiles(['arch.yaml', 'ERT.yaml', 'ART.yaml'].map((f) => ({ name: f, mimeType: 'text/yaml', buffer: readFileSync(`${archDir}/${f}`) })));
  await page
    .locator('#dropped')
    .filter({ hasText: /arch: arch\.yaml, ert: ERT\.yaml, art: ART\.yaml/ })
    .waitFor();
  await page.getByTestId('run').click();
  await runEnded(page, 120_000);
  assert.equal(await page.getByTestId('status').textContent(), 'done', (await page.getByTestId('error').textContent()) ?? '');
  await points.first().click({ force: true });
  assert.match((await page.locator('#selected pre').first().textContent()) ?? '', /hardware: template arch,/);
  // an infeasible budget: the page names it, as the CLI does
  await page.fill('#budgets', '0.001');
  await page.fill('#retries', '0');
  await page.getByTestId('run').click();
  await runEnded(page, 120_000);
  assert.match(
    (await page.getByTestId('error').textContent()) ?? '',
    /^infeasible: no power budget could be met; the tightest: power budget 0\.001 mW/,
  );
  await page.fill('#budgets', '300');
  await page.fill('#retries', '2');

  // a small ONNX model with a dynamic batch: refused until its input shape is given, then run
  const g = new GraphBuilder();
  let x = g.input('image', ['batch', 3, 16, 16]);
  x = g.node('Conv', [x, g.weight([8, 3, 3, 3])], { pads: [1, 1, 1, 1] }, { name: 'conv' });
  x = g.node('Relu', [x]);
  x = g.node('GlobalAveragePool', [x]);
  x = g.node('Flatten', [x], { axis: 1 });
  x = g.node('Gemm', [x, g.weight([4, 8])], { transB: 1 }, { name: 'fc' });
  g.output(x);
  const onnxFile = { name: 'tiny.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(g.encode(13)) };
  await page.getByTestId('file-input').setInputFiles(onnxFile);
  await page
    .getByTestId('error')
    .filter({ hasText: /input-shape image=/ })
    .waitFor();
  await page.fill('#input-shapes', 'image=1,3,16,16');
  await page.getByTestId('file-input').setInputFiles(onnxFile);
  await page.getByTestId('run').click();
  await runEnded(page, 120_000);
  assert.equal(await page.getByTestId('status').textContent(), 'done', (await page.getByTestId('error').textContent()) ?? '');
  await points.first().click({ force: true }); // one design may serve two budgets: their circles coincide
  assert.deepEqual(await rows.locator('td:first-child').allTextContents(), ['conv', 'fc']);

  // the link holds the dropped model and its input shape (deflated in the fragment): opened fresh, it reruns
  assert.match((await page.getByTestId('link-note').textContent()) ?? '', /includes tiny\.onnx/);
  await page.getByTestId('share').click();
  const link = (await page.getByTestId('share').getAttribute('data-url'))!;
  assert.match(link, /[?&]run=1.*#files=/);
  const linked = await browser.newPage();
  await linked.goto(link);
  await runEnded(linked, 120_000);
  assert.equal(await linked.getByTestId('status').textContent(), 'done', (await linked.getByTestId('error').textContent()) ?? '');
  await linked.getByTestId('pareto-point').first().click({ force: true });
  assert.deepEqual(await linked.getByTestId('layer-row').locator('td:first-child').allTextContents(), ['conv', 'fc']);
  await linked.close();
  // a file too large for a URL stays out of the link, and the page says so
  const noise = Array.from({ length: 40_000 }, (_, i) => ((i * 2654435761) >>> 7).toString(36)).join('');
  const big = readFileSync(problemFile, 'utf8') + `# ${noise}\n`;
  await page.getByTestId('file-input').setInputFiles({ name: 'big.yaml', mimeType: 'text/yaml', buffer: Buffer.from(big) });
  await page
    .getByTestId('link-note')
    .filter({ hasText: /does not include big\.yaml/ })
    .waitFor();

  // a bad URL parameter names the parameter
  await page.goto(`${base}?budgets=200,abc`);
  await page.getByTestId('error').waitFor({ state: 'visible' });
  assert.match((await page.getByTestId('error').textContent()) ?? '', /budgets: expected a comma-separated list of positive numbers in mW/);
  assert.deepEqual(pageErrors, []);

  // a phone-size viewport: no horizontal scrolling, the run button on screen
  const phone = await browser.newPage({ viewport: { width: 375, height: 667 } });
  await phone.goto(base);
  assert.ok(await phone.getByTestId('run').isVisible());
  const fits = async (what: string) => {
    const { scroll, width } = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width + 1, `${what}: page ${scroll} px wide in a ${width} px viewport`);
  };
  await fits('empty');
  // with results too: the plot, the layer table, the loop nests scroll inside their boxes, not the page
  await phone.getByTestId('file-input').setInputFiles({ name: 'alexnet_conv3.yaml', mimeType: 'text/yaml', buffer: readFileSync(problemFile) });
  await phone.fill('#budgets', '300');
  await phone.fill('#time', '1');
  await phone.getByTestId('run').click();
  await runEnded(phone, 120_000);
  await phone.getByTestId('pareto-point').first().click({ force: true });
  await phone.locator('details summary').click();
  assert.ok(await phone.getByTestId('layer-row').first().isVisible());
  assert.ok(await phone.getByTestId('download-zip').isVisible());
  await fits('with a selected point and its loop nests open');
});

test(
  'web app = CLI: the same seed and settings and a search that ends on its own give the front.json of the CLI',
  // The co-optimizer restarts its hardware search until its time is up unless `restarts` caps it (`--restarts`,
  // `?restarts=`): with a cap and far more time than needed, both runs end on their own and are a function of the seed.
  { skip, timeout: 300_000 },
  async (t) => {
    const { base, browser } = await openApp(t);
    const { encodeFiles } = await import('../web/src/link-files.js');
    // one small conv layer, one budget, and far more time than the search needs (its stages get shares of the time per
    // point, e.g. a third for a relaxation): every stage ends on its own even on a machine under a load of 30
    const g = new GraphBuilder();
    const x = g.input('image', ['batch', 3, 8, 8]);
    g.output(g.node('Conv', [x, g.weight([8, 3, 3, 3])], { pads: [1, 1, 1, 1] }, { name: 'conv' }));
    const bytes = g.encode(13);
    const dir = mkdtempSync(join(tmpdir(), 'web-cli-'));
    writeFileSync(join(dir, 'tiny.onnx'), bytes);
    // the CLI (its own process) and the page (one worker, the CLI's wasm backend) at the same time
    const cli = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'pareto', '--network', join(dir, 'tiny.onnx'), '--input-shape', 'image=1,3,8,8'].concat([
        '--template',
        'eyeriss-like',
        '--power-budgets',
        '100',
        '--time-per-point',
        '60',
        '--seed',
        '3',
        '--restarts',
        '2',
        '--json',
        '--out',
        join(dir, 'out'),
      ]),
      { maxBuffer: 1 << 26 },
    );
    const page = await browser.newPage({ acceptDownloads: true });
    const files = encodeFiles([{ name: 'tiny.onnx', bytes }]);
    await page.goto(
      `${base}?template=eyeriss-like&budgets=100&time=60&seed=3&restarts=2&workers=1&backend=wasm&run=1#files=${files}&shapes=image%3D1,3,8,8`,
    );
    await runEnded(page, 240_000);
    assert.equal(await page.getByTestId('status').textContent(), 'done', (await page.getByTestId('error').textContent()) ?? '');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#front-json')]);
    const fromPage = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    const fromCli = JSON.parse((await cli).stdout);
    assert.equal(fromPage.points.length, 1);
    assert.deepEqual(fromPage, fromCli);
  },
);

test('web app links: dropped files round-trip through the fragment, too large ones stay out, damaged ones are named', async () => {
  const { encodeFiles, decodeFiles } = await import('../web/src/link-files.js');
  const files = [
    { name: 'net.onnx', bytes: new Uint8Array([0, 1, 2, 255, 254, 10]) },
    { name: 'arch.yaml', bytes: new TextEncoder().encode('architecture:\n  version: 0.4\n'.repeat(50)) },
  ];
  const text = encodeFiles(files)!;
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  assert.ok(text.length < 1506 / 3, `${text.length} characters for 1,506 bytes: deflated`);
  assert.deepEqual(decodeFiles(text), files);
  assert.equal(encodeFiles(files, 50), null);
  assert.throws(() => decodeFiles('not+base64'), /#files: expected the files of a link made by this page/);
  assert.throws(() => decodeFiles('AAAA'), /#files/);
});

test('web app scheduling: budgets split over the workers, spare workers and retries get new seeds, cross-budget choice', async () => {
  const { firstRound, retryRound, chooseBest } = await import('../web/src/schedule.js');
  assert.deepEqual(firstRound([200, 400], 2, 1).jobs, [
    { budgets: [200], seed: 1, warm: false, timeScale: 1 },
    { budgets: [400], seed: 1, warm: false, timeScale: 1 },
  ]);
  // one worker is exactly the CLI's run of every budget
  assert.deepEqual(firstRound([100, 200, 400], 1, 7), { jobs: [{ budgets: [100, 200, 400], seed: 7, warm: false, timeScale: 1 }], used: 1 });
  assert.deepEqual(
    firstRound([100, 200, 400, 800, 1200], 2, 1).jobs.map((j) => j.budgets),
    [
      [100, 200, 400],
      [800, 1200],
    ],
  );
  const spare = firstRound([200], 3, 1);
  assert.deepEqual(
    spare.jobs.map((j) => [j.budgets, j.seed]),
    [
      [[200], 1],
      [[200], 1001],
      [[200], 2001],
    ],
  );
  const retry = retryRound([200], 2, 1, spare.used);
  assert.deepEqual(
    retry.jobs.map((j) => [j.budgets, j.seed, j.warm, j.timeScale]),
    [
      [[200], 3001, true, 2],
      [[200], 4001, true, 2],
    ],
  );
  assert.equal(retry.used, 5);
  const point = (budget: number, latency: number, power: number) => ({
    point: { budget: { power_mW: budget, area_mm2: null }, latency_cycles: latency, power_mW: power, energy_pJ: 1, feasible: true } as never,
    files: [],
    loopNests: {},
    power: [],
  });
  const found = [
    { ...point(200, 900, 190), job: 0, jobBudgets: [200], seed: 1, final: true },
    { ...point(400, 500, 180), job: 1, jobBudgets: [400], seed: 1, final: false },
    { ...point(400, 300, 390), job: 1, jobBudgets: [400], seed: 1, final: false },
  ];
  const best = chooseBest(found, [200, 400], 'latency');
  // job 1's point at 180 mW is within 200 mW and faster: it serves the 200 mW budget too
  assert.deepEqual(
    best.map((b) => [b.point.budget.power_mW, b.point.latency_cycles, b.job]),
    [
      [200, 500, 1],
      [400, 300, 1],
    ],
  );
  // but a job's own points for its other budgets do not (its sweep chose among them, as the CLI does)
  const one = found.map((f) => ({ ...f, job: 0, jobBudgets: [200, 400] }));
  assert.equal(chooseBest(one, [200, 400], 'latency')[0]!.point.latency_cycles, 900);
});
