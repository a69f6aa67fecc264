/**
 * `npm run bench:web [-- --url-query Q --screenshot FILE]`: the browser app's run of the link
 * (ResNet-18 on eyeriss-like, budgets 200,400 mW, 5 s per point) in Debian's headless Chromium: the wall time from
 * loading the page to `done`, the points and their budgets, the tfjs backend of the relaxed stage, and a screenshot.
 */
import type { AddressInfo } from 'node:net';
import { buildIfNeeded, serve } from '../scripts/serve-web.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const query = arg('--url-query', 'network=resnet18&template=eyeriss-like&budgets=200,400&time=5&run=1');
const shot = arg('--screenshot', 'docs/web-app.png');

buildIfNeeded();
const server = await serve(0);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const t0 = Date.now();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?${query}`);
  await page
    .getByTestId('status')
    .filter({ hasText: /^(done|failed)$/ })
    .waitFor({ timeout: 600_000 });
  const seconds = (Date.now() - t0) / 1000;
  const points = await page
    .getByTestId('pareto-point')
    .evaluateAll((els) =>
      els.map((e) => ({ cycles: Number(e.getAttribute('data-latency-cycles')), power_mW: Number(e.getAttribute('data-power-mw')) })),
    );
  if (points.length > 0) await page.getByTestId('pareto-point').first().click();
  await page.screenshot({ path: shot, fullPage: false });
  console.log(
    JSON.stringify({
      query,
      status: await page.getByTestId('status').textContent(),
      seconds,
      backend: await page.getByTestId('backend').textContent(),
      workers: await page.locator('#cores').textContent(),
      points,
      error: (await page.getByTestId('error').isVisible()) ? await page.getByTestId('error').textContent() : null,
      screenshot: shot,
    }),
  );
} finally {
  await browser.close();
  server.close();
}
