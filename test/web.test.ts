/**
 * The browser app (web/): built with Vite (reused when web/dist is newer than its sources), served on a free port,
 * driven in Debian's Chromium through playwright-core. A run of ResNet-18 on eyeriss-like with two budgets from the
 * URL, the selected point's layers and its zip read back by the library, a dropped Timeloop problem, a corrupt file,
 * a bad URL parameter, and a phone-size viewport. Skips only when /usr/bin/chromium is absent (a failure under CI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
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

test('web app in Chromium: a run from the URL, layers, zip export, dropped files, bad input, mobile', { skip, timeout: 300_000 }, async (t) => {
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // a run from the URL: two budget points, each within its budget
  const t0 = Date.now();
  await page.goto(`${base}?network=resnet18&template=eyeriss-like&budgets=300,500&time=5&seed=1&run=1`);
  await page
    .getByTestId('status')
    .filter({ hasText: /^(done|failed)$/ })
    .waitFor({ timeout: 240_000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(await page.getByTestId('error').isVisible(), false, (await page.getByTestId('error').textContent()) ?? '');
  assert.equal(await page.getByTestId('status').textContent(), 'done');
  const points = page.getByTestId('pareto-point');
  assert.equal(await points.count(), 2);
  const powers = await points.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-power-mw'))));
  const cycles = await points.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-latency-cycles'))));
  powers.sort((a, b) => a - b);
  assert.ok(powers[0]! <= 300 * (1 + 1e-6) && powers[1]! <= 500 * (1 + 1e-6), `powers ${powers} within 300, 500 mW`);
  assert.ok(cycles.every((c) => Number.isInteger(c) && c > 0));
  const backend = await page.getByTestId('backend').textContent();
  assert.match(backend ?? '', /^(webgpu|webgl|wasm|cpu)$/);
  t.diagnostic(`run of 2 points: ${seconds.toFixed(1)} s in Chromium, relaxed stage on ${backend}`);

  // select a point: its layers, then its zip holds Timeloop files the library reads back as valid mappings
  await points.first().click();
  const rows = page.getByTestId('layer-row');
  assert.equal(await rows.count(), getNetwork('resnet18').layers.length);
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
  await page
    .getByTestId('status')
    .filter({ hasText: /^(done|failed)$/ })
    .waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('status').textContent(), 'done', (await page.getByTestId('error').textContent()) ?? '');
  assert.equal(await points.count(), 1);
  await points.first().click();
  assert.equal(await rows.count(), 1);

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
  await page
    .getByTestId('status')
    .filter({ hasText: /^(done|failed)$/ })
    .waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('status').textContent(), 'done', (await page.getByTestId('error').textContent()) ?? '');
  await points.first().click();
  assert.deepEqual(await rows.locator('td:first-child').allTextContents(), ['conv', 'fc']);

  // a bad URL parameter names the parameter
  await page.goto(`${base}?budgets=200,abc`);
  await page.getByTestId('error').waitFor({ state: 'visible' });
  assert.match((await page.getByTestId('error').textContent()) ?? '', /budgets: expected a comma-separated list of positive numbers in mW/);
  assert.deepEqual(pageErrors, []);

  // a phone-size viewport: no horizontal scrolling, the run button on screen
  const phone = await browser.newPage({ viewport: { width: 375, height: 667 } });
  await phone.goto(base);
  assert.ok(await phone.getByTestId('run').isVisible());
  const { scroll, width } = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width + 1, `page ${scroll} px wide in a ${width} px viewport`);
});
