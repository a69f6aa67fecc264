/**
 * `npm run bench:web [-- --runs N --url-query Q --screenshot FILE]`: the browser app's run of the link
 * (ResNet-18 on eyeriss-like, budgets 200,400 mW, 5 s per point) in Debian's headless Chromium, N times: per run the
 * wall time from loading the page to `done`, the points and whether each budget was met, the rounds (1 = no retry),
 * the tfjs backend of the relaxed stage and the load average around it; then the distribution. The last run's page
 * (a point selected) is the screenshot.
 */
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { buildIfNeeded, serve } from '../scripts/serve-web.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const query = arg('--url-query', 'network=resnet18&template=eyeriss-like&budgets=200,400&time=5&run=1');
const shot = arg('--screenshot', 'docs/web-app.png');
const runs = Number(arg('--runs', '1'));
const budgets = (new URLSearchParams(query).get('budgets') ?? '200,400').split(',').map(Number);

buildIfNeeded();
const server = await serve(0);
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const all: { seconds: number; met: number; rounds: number; load: [number, number] }[] = [];
try {
  for (let run = 1; run <= runs; run++) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    const load0 = loadavg()[0]!;
    const t0 = Date.now();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?${query}`);
    await page
      .getByTestId('status')
      .filter({ hasText: /^(done|failed)$/ })
      .waitFor({ timeout: 600_000 });
    const seconds = (Date.now() - t0) / 1000;
    const points = await page.getByTestId('pareto-point').evaluateAll((els) =>
      els.map((e) => ({
        budget_mW: Number(e.getAttribute('data-budget-mw')),
        cycles: Number(e.getAttribute('data-latency-cycles')),
        power_mW: Number(e.getAttribute('data-power-mw')),
      })),
    );
    // a budget is met when a point within it is shown for it
    const met = budgets.filter((b) => points.some((p) => p.budget_mW === b && p.power_mW <= b * (1 + 1e-6))).length;
    const rounds = Number(await page.getByTestId('status').getAttribute('data-rounds'));
    const load: [number, number] = [load0, loadavg()[0]!];
    all.push({ seconds, met, rounds, load });
    if (run === runs) {
      if (points.length > 0) await page.getByTestId('pareto-point').first().click({ force: true });
      await page.screenshot({ path: shot, fullPage: true });
    }
    console.log(
      JSON.stringify({
        run,
        query,
        status: await page.getByTestId('status').textContent(),
        seconds,
        rounds,
        met: `${met}/${budgets.length}`,
        load_average_1min: load.map((x) => Number(x.toFixed(2))),
        backend: `${await page.getByTestId('backend').textContent()}${await page.locator('#backend-detail').textContent()}`,
        workers: await page.locator('#cores').textContent(),
        points,
        error: (await page.getByTestId('error').isVisible()) ? await page.getByTestId('error').textContent() : null,
        ...(run === runs ? { screenshot: shot } : {}),
      }),
    );
    await page.close();
  }
  const s = all.map((r) => r.seconds).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      runs,
      seconds: { min: s[0], median: s[Math.floor((s.length - 1) / 2)], max: s.at(-1) },
      every_budget_met: `${all.filter((r) => r.met === budgets.length).length}/${runs}`,
      with_retries: all.filter((r) => r.rounds > 1).length,
      load_average_1min: { min: Math.min(...all.flatMap((r) => r.load)), max: Math.max(...all.flatMap((r) => r.load)) },
    }),
  );
} finally {
  await browser.close();
  server.close();
}
