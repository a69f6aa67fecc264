import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { loadSweep, sweepFromObject } from '../src/sweep/spec.js';
import { InputError } from '../src/errors.js';
import { getPreset } from '../src/hardware/presets.js';
import { writeHardwareYaml } from '../src/hardware/template.js';

const tmp = mkdtempSync(join(tmpdir(), 'codesign-sweep-test-'));
// 2 networks x 2 templates, one small layer each, two budgets, 1 s per point
const SWEEP = `networks:
  - {name: resnet18, layers: resnet18_layer3_0_downsample}
  - {name: mobilenetv2, layers: mbv2_b16_project_1x1}
templates: [eyeriss-like, simple-ws]
power_budgets_mW: [200, 400]
methods: [codesign]
seeds: [1]
time_per_point_s: 1
`;
const sweepFile = join(tmp, 'sweep.yaml');
writeFileSync(sweepFile, SWEEP);

let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface Line {
  job: string;
  network: string;
  template: string;
  budget: { power_mW: number };
  latency_cycles: number;
}
const readLines = (dir: string): Line[] =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

/** Every job of the sweep in results.jsonl, each budget point exactly once, each with its front folder. */
function checkResults(dir: string): Line[] {
  const lines = readLines(dir);
  const ids = loadSweep(sweepFile).jobs.map((j) => j.id);
  assert.deepEqual([...new Set(lines.map((l) => l.job))].sort(), [...ids].sort());
  const keys = lines.map((l) => `${l.job}@${l.budget.power_mW}`);
  assert.equal(new Set(keys).size, keys.length, 'a point appears twice');
  for (const id of ids) {
    assert.ok(lines.filter((l) => l.job === id).length >= 1);
    assert.ok(existsSync(join(dir, 'jobs', id, 'front.json')) && existsSync(join(dir, 'jobs', id, 'report.html')), id);
    const front = JSON.parse(readFileSync(join(dir, 'jobs', id, 'front.json'), 'utf8'));
    assert.equal(front.points.length, lines.filter((l) => l.job === id).length);
  }
  assert.match(readFileSync(join(dir, 'sweep.html'), 'utf8'), /resnet18[\s\S]*mobilenetv2/);
  return lines;
}

test('sweep file: validated with one line naming the file and field; ids hash the inputs, file contents included', () => {
  const bad = (raw: unknown, field: RegExp) =>
    assert.throws(
      () => sweepFromObject('s.yaml', raw),
      (e: unknown) => e instanceof InputError && e.message.startsWith('s.yaml: ') && field.test(e.message) && !e.message.includes('\n'),
    );
  const ok = { networks: ['resnet18'], templates: ['eyeriss-like'], power_budgets_mW: [100] };
  bad({ ...ok, power_budgets_mW: [-1] }, /power_budgets_mW\.0/);
  bad({ ...ok, methods: ['magic'] }, /methods\.0/);
  bad({ ...ok, seeds: [1.5] }, /seeds\.0/);
  bad({ ...ok, extra: 1 }, /unknown key/);
  bad({ ...ok, networks: ['nonet'] }, /networks\.0/);
  bad({ ...ok, networks: [{ name: 'resnet18', layers: 'nolayer' }] }, /networks\.0/);
  bad({ ...ok, templates: [{ arch: 'missing.yaml' }] }, /templates\.0\.arch/);
  const s = sweepFromObject('s.yaml', { ...ok, seeds: [1, 2, 1], methods: ['codesign', 'random'] });
  assert.equal(s.jobs.length, 4, 'a repeated seed is one job');
  assert.equal(new Set(s.jobs.map((j) => j.id)).size, 4);
  assert.deepEqual(
    sweepFromObject('s.yaml', { ...ok, seeds: [2, 1], methods: ['random', 'codesign'] })
      .jobs.map((j) => j.id)
      .sort(),
    s.jobs.map((j) => j.id).sort(),
  );
  // a template from files: same paths, other contents -> another id
  const files = writeHardwareYaml(getPreset('eyeriss-like').arch);
  const dir = mkdtempSync(join(tmp, 'tpl-'));
  for (const k of ['arch', 'ert', 'art'] as const) writeFileSync(join(dir, `${k}.yaml`), files[k]);
  const f = join(dir, 's.yaml');
  const t = { ...ok, templates: [{ arch: 'arch.yaml', ert: 'ert.yaml', art: 'art.yaml' }] };
  const a = sweepFromObject(f, t).jobs[0]!;
  writeFileSync(join(dir, 'art.yaml'), files.art + '\n# another version\n');
  const b = sweepFromObject(f, t).jobs[0]!;
  assert.notEqual(a.id, b.id);
  assert.equal(sweepFromObject(f, t).jobs[0]!.id, b.id);
});

test('local mode: 2 networks x 2 templates on 2 worker processes, then resume skips every finished job', async () => {
  const out = join(tmp, 'local');
  const r = await runCli(['sweep', sweepFile, '--out', out, '--workers', '2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /4 of 4 jobs done/);
  const lines = checkResults(out);
  const before = readFileSync(join(out, 'results.jsonl'), 'utf8');
  const stamp = readdirSync(join(out, 'jobs')).map((f) => f);
  const again = await runCli(['sweep', sweepFile, '--out', out, '--workers', '2', '--json']);
  assert.equal(again.code, 0, again.err);
  assert.equal(JSON.parse(again.out).skipped, 4);
  assert.equal(readFileSync(join(out, 'results.jsonl'), 'utf8'), before);
  assert.deepEqual(readdirSync(join(out, 'jobs')), stamp);
  assert.ok(lines.length >= 4);
});

function worker(url: string): { proc: ChildProcess; log: () => string } {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
  const proc = spawn(process.execPath, [...execArgv, 'src/cli/main.ts', 'worker', '--queue', url, '--lock', '2'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  return { proc, log: () => log };
}

const until = async (cond: () => boolean, what: string, s = 120) => {
  for (let i = 0; i < s * 10 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

test('distributed mode: a SIGKILLed worker loses nothing, nothing twice; status; collect after a Redis restart', async () => {
  const out = join(tmp, 'queue');
  const enq = await runCli(['sweep', sweepFile, '--queue', redis.url, '--out', out, '--detach']);
  assert.equal(enq.code, 0, enq.err);
  assert.match(enq.out, /enqueued 4 jobs/);
  // enqueuing again adds nothing: the job ids exist
  await runCli(['sweep', sweepFile, '--queue', redis.url, '--out', out, '--detach']);
  const st0 = await runCli(['sweep', 'status', '--queue', redis.url, '--json']);
  assert.deepEqual(JSON.parse(st0.out), { waiting: 4, active: 0, done: 0, failed: 0 });

  const a = worker(redis.url);
  const b = worker(redis.url);
  try {
    // kill a worker in the middle of its job
    await until(() => /started/.test(a.log()), 'worker a to start a job');
    const killed = /started (\w+)/.exec(a.log())![1]!;
    a.proc.kill('SIGKILL');
    const r = await runCli(['sweep', sweepFile, '--queue', redis.url, '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /4 of 4 jobs done/);
    assert.ok(new RegExp(`started ${killed}`).test(b.log()), `worker b retook ${killed}`);
    checkResults(out);
    const st = await runCli(['sweep', 'status', '--queue', redis.url]);
    assert.equal(st.out.trim(), 'waiting 0, active 0, done 4, failed 0');

    // a failing job (a budget below any hardware's power) fails once with its reason, not retried forever
    const failFile = join(tmp, 'fail.yaml');
    writeFileSync(
      failFile,
      SWEEP.replace('power_budgets_mW: [200, 400]', 'power_budgets_mW: [0.001]')
        .replace(/templates: .*/, 'templates: [simple-ws]')
        .replace(/  - \{name: mobilenetv2.*\n/, ''),
    );
    const f = await runCli(['sweep', failFile, '--queue', redis.url, '--out', join(tmp, 'fail')]);
    assert.equal(f.code, 1);
    assert.match(f.err, /failed: .*infeasible/);
    assert.equal(f.err.trim().split('\n').length, 2, f.err); // the job's line and the "no job finished" line
    const failId = loadSweep(failFile).jobs[0]!.id;
    assert.equal(
      b
        .log()
        .split('\n')
        .filter((l) => l.startsWith(`codesign worker: started ${failId}`)).length,
      1,
      b.log(),
    );
    const again = await runCli(['sweep', failFile, '--queue', redis.url, '--out', join(tmp, 'fail')]);
    assert.equal(again.code, 1);
    assert.equal(
      b
        .log()
        .split('\n')
        .filter((l) => l.startsWith(`codesign worker: started ${failId}`)).length,
      1,
      'a failed job is not run again',
    );
  } finally {
    a.proc.kill('SIGKILL');
    b.proc.kill('SIGTERM');
  }
  // results survive a Redis restart (append-only persistence): collect into a fresh folder
  await redis.restart();
  const fresh = join(tmp, 'collected');
  const c = await runCli(['sweep', 'collect', sweepFile, '--queue', redis.url, '--out', fresh]);
  assert.equal(c.code, 0, c.err);
  checkResults(fresh);
  assert.deepEqual(readLines(fresh), readLines(out));
  // the same job ids as the local run, with the same budgets
  const local = readLines(join(tmp, 'local'));
  assert.deepEqual([...new Set(local.map((l) => l.job))].sort(), [...new Set(readLines(out).map((l) => l.job))].sort());
});

test('bad queue URLs and unreachable servers are one line, exit 2', async () => {
  const r = await runCli(['sweep', 'status', '--queue', 'http://x']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^codesign: --queue: queue: expected a Redis URL/);
  const w = await runCli(['worker', '--queue', redis.url, '--concurrency', '0']);
  assert.equal(w.code, 2);
  assert.match(w.err, /--concurrency/);
  const s = await runCli(['sweep', sweepFile]);
  assert.equal(s.code, 2);
  assert.match(s.err, /--out/);
});

test('an ONNX network in the sweep file: its bytes travel in the job (and its id), input_shapes fix a dynamic dim', async () => {
  const { GraphBuilder } = await import('./helpers/onnx-builder.js');
  const dir = mkdtempSync(join(tmp, 'onnx-'));
  const model = (k: number) => {
    const g = new GraphBuilder();
    const x = g.input('image', ['batch', 16, 14, 14]);
    g.output(g.node('Conv', [x, g.weight([k, 16, 1, 1])], {}, { name: 'pw' }));
    return g.encode(13);
  };
  writeFileSync(join(dir, 'tiny.onnx'), model(32));
  const yaml = `networks:\n  - {name: tiny.onnx, input_shapes: {image: [1, 16, 14, 14]}}\ntemplates: [simple-ws]\npower_budgets_mW: [400]\ntime_per_point_s: 1\n`;
  writeFileSync(join(dir, 's.yaml'), yaml);
  const id = loadSweep(join(dir, 's.yaml')).jobs[0]!.id;
  const r = await runCli(['sweep', join(dir, 's.yaml'), '--out', join(dir, 'out'), '--workers', '1']);
  assert.equal(r.code, 0, r.err);
  const lines = readLines(join(dir, 'out'));
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.job, id);
  assert.equal(lines[0]!.network, 'tiny.onnx');
  writeFileSync(join(dir, 'tiny.onnx'), model(48));
  assert.notEqual(loadSweep(join(dir, 's.yaml')).jobs[0]!.id, id);
});
