/**
 * `npm run bench:coopt-peers`: our co-optimizer against DiGamma, DOSA-style gradient descent, Bayesian optimization and
 * random hardware search, on ResNet-18, MobileNetV2 and VGG-16 x eyeriss-like and simba-like; per pair three power
 * budgets (minimum latency) and one area-budgeted EDP point. Every method gets the same wall time per point, a fresh
 * evaluator (same model, template variables, constraints, budgets, leakage on) and the same seed.
 *
 *   npm run bench:coopt-peers                       # CODESIGN_PEER_SECONDS (default 10) per method and point
 *   CODESIGN_PEER_SECONDS=30 CODESIGN_PEER_NETWORKS=resnet18 CODESIGN_PEER_TEMPLATES=eyeriss-like \
 *     CODESIGN_PEER_METHODS=codesign,digamma npm run bench:coopt-peers      # a subset, longer
 *   CODESIGN_PEER_SEEDS=1,2 npm run bench:coopt-peers                # every point once per seed (default 1)
 *
 * Writes out/bench-coopt-peers.json (every run, with its trace) and prints the table and the summary.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { InfeasibleError } from '../src/errors.js';
import { getPreset } from '../src/hardware/presets.js';
import { getTemplate } from '../src/hardware/template.js';
import { HardwareEvaluator } from '../src/coopt/hardware-eval.js';
import { COOPT_METHODS, type CoOptMethod } from '../src/coopt/methods.js';
import { runCoOptMethod } from '../src/coopt/run-method.js';
import type { Goal } from '../src/coopt/goal.js';
import type { TracePoint } from '../src/coopt/trace.js';
import { evaluatorOptions } from '../src/coopt/sweep.js';
import { getNetwork } from '../src/workload/networks.js';
import { exactPoint } from '../src/visualization/front-files.js';
import { sharedExactPool } from '../src/parallel/pool.js';
import { sharedSearchThread } from '../src/parallel/search-thread.js';

const SECONDS = Number(process.env.CODESIGN_PEER_SECONDS ?? 10);
const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()) : null);
const NETWORKS = list(process.env.CODESIGN_PEER_NETWORKS) ?? ['resnet18', 'mobilenetv2', 'vgg16'];
const TEMPLATES: { name: string; power: number[]; area: number }[] = [
  { name: 'eyeriss-like', power: [100, 200, 400], area: 1 },
  { name: 'simba-like', power: [100, 200, 400], area: 2 },
].filter((t) => (list(process.env.CODESIGN_PEER_TEMPLATES) ?? [t.name]).includes(t.name));
const METHODS = COOPT_METHODS.filter((m) => (list(process.env.CODESIGN_PEER_METHODS) ?? [m]).includes(m));
const OUT = process.env.CODESIGN_PEER_OUT ?? 'out/bench-coopt-peers.json';
const SEEDS = (list(process.env.CODESIGN_PEER_SEEDS) ?? ['1']).map((x) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 0) throw new Error(`CODESIGN_PEER_SEEDS: expected comma-separated non-negative integers, got "${x}"`);
  return n;
});

interface Run {
  method: CoOptMethod;
  feasible: boolean;
  reason: string | null;
  objective: number;
  latency_ms: number;
  power_mW: number;
  leakage_mW: number;
  area_mm2: number;
  edp_Js: number;
  /** seconds to reach its final result */
  t_final: number;
  seconds: number;
  trace: TracePoint[];
  hardware: Record<string, number> | null;
}

async function one(method: CoOptMethod, network: string, template: string, goal: Goal, seed: number): Promise<Run> {
  const t = getTemplate(template);
  const preset = getPreset(template);
  const net = getNetwork(network);
  const constraintsFor = (p: { depthwise?: boolean }) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints);
  const ev = new HardwareEvaluator(t, net.layers, constraintsFor, evaluatorOptions({ leakage: true }));
  const t0 = performance.now();
  try {
    const p = await runCoOptMethod(method, ev, { goal, seed, timeLimit: SECONDS });
    const b = p.best;
    // the figures of the table come from the exact model on the returned mappings, re-checked (as front.json's)
    const x = (await exactPoint(ev, { goal, result: b, mappings: p.mappings, infeasible: null }, constraintsFor, 'p'))!.point;
    if (!x.feasible || Math.abs(x.latency_cycles - b.latency_cycles) > 1e-9 * b.latency_cycles)
      throw new Error(
        `${method} ${network} ${template}: the search's figures (${b.latency_cycles} cycles) and the exact model's (${x.latency_cycles}) differ`,
      );
    const ms = x.latency_ms;
    const last = p.trace[p.trace.length - 1];
    return {
      method,
      feasible: true,
      reason: null,
      objective: goal.kind === 'budget' && goal.objective === 'edp' ? x.energy_pJ * 1e-12 * x.latency_cycles : x.latency_cycles,
      latency_ms: ms,
      power_mW: x.power_mW,
      leakage_mW: x.power_breakdown_mW!.leakage,
      area_mm2: x.area_mm2,
      edp_Js: x.energy_pJ * 1e-12 * ms * 1e-3,
      t_final: last?.t ?? p.seconds,
      seconds: p.seconds,
      trace: p.trace,
      hardware: b.hw.values,
    };
  } catch (e) {
    if (!(e instanceof InfeasibleError)) throw e;
    const s = (performance.now() - t0) / 1000;
    return {
      method,
      feasible: false,
      reason: e.message,
      objective: Infinity,
      latency_ms: NaN,
      power_mW: NaN,
      leakage_mW: NaN,
      area_mm2: NaN,
      edp_Js: NaN,
      t_final: s,
      seconds: s,
      trace: [],
      hardware: null,
    };
  }
}

/** When ours first reached an objective at least as good as `target` (null if never). */
function timeToMatch(trace: TracePoint[], target: number): number | null {
  const hit = trace.find((p) => p.objective <= target * (1 + 1e-9));
  return hit ? hit.t : null;
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

async function main(): Promise<void> {
  let points: { network: string; template: string; budget: string; seed?: number; runs: Run[] }[] = [];
  const t0 = performance.now();
  // CODESIGN_PEER_FROM=out/bench-coopt-peers.json: the table and summary of an earlier run, without running
  const from = process.env.CODESIGN_PEER_FROM;
  if (from)
    points = (JSON.parse(readFileSync(from, 'utf8')) as { points: typeof points }).points.map((p) => ({
      ...p,
      runs: p.runs.map((r) => ({ ...r, objective: r.objective ?? Infinity })),
    }));
  else {
    // the threads load before the first point, so that no method's first run pays for it
    await (await sharedExactPool())?.whenReady();
    await (await sharedSearchThread())?.whenReady();
  }
  if (!from)
    for (const seed of SEEDS)
      for (const network of NETWORKS)
        for (const tp of TEMPLATES) {
          const goals: { label: string; goal: Goal }[] = [
            ...tp.power.map((p) => ({
              label: `${p} mW`,
              goal: { kind: 'budget', budgets: { power_mW: p, area_mm2: null }, objective: 'latency' } as Goal,
            })),
            { label: `EDP, ${tp.area} mm^2`, goal: { kind: 'budget', budgets: { power_mW: null, area_mm2: tp.area }, objective: 'edp' } as Goal },
          ];
          for (const g of goals) {
            const runs: Run[] = [];
            for (const m of METHODS) {
              runs.push(await one(m, network, tp.name, g.goal, seed));
              process.stderr.write(
                `[${((performance.now() - t0) / 1000).toFixed(0)} s] seed ${seed} ${network} ${tp.name} ${g.label} ${m}: ${runs.at(-1)!.feasible ? `${f(runs.at(-1)!.latency_ms, 3)} ms ${f(runs.at(-1)!.power_mW, 1)} mW ${f(runs.at(-1)!.area_mm2, 3)} mm^2` : 'infeasible'}\n`,
              );
            }
            points.push({ network, template: tp.name, budget: g.label, seed, runs });
            // saved after every point, so that a run cut short still has its table (CODESIGN_PEER_FROM)
            mkdirSync('out', { recursive: true });
            writeFileSync(OUT, JSON.stringify({ secondsPerPoint: SECONDS, points }, null, 2) + '\n');
          }
        }
  mkdirSync('out', { recursive: true });
  if (!from) writeFileSync(OUT, JSON.stringify({ secondsPerPoint: SECONDS, points }, null, 2) + '\n');

  // table
  const lines = [
    `| network | template | budget | method | latency (ms) | power (mW) (leakage) | area (mm^2) | EDP (J s) | final at (s) | ours matches it at (s) |`,
    `|---|---|---|---|---|---|---|---|---|---|`,
  ];
  const sum = {
    lat: [] as number[],
    pow: [] as number[],
    area: [] as number[],
    speed: [] as number[],
    wins: 0,
    ties: 0,
    losses: 0,
    n: 0,
    lossCases: [] as string[],
  };
  const seeded = new Set(points.map((p) => p.seed ?? 1)).size > 1;
  for (const p of points) {
    const ours = p.runs.find((r) => r.method === 'codesign')!;
    const budget = seeded ? `${p.budget}, seed ${p.seed ?? 1}` : p.budget;
    p.runs.forEach((r, i) => {
      const match =
        r.method === 'codesign' || !r.feasible
          ? ''
          : (() => {
              const x = timeToMatch(ours.trace, r.objective);
              return x === null ? 'never' : f(x, 1);
            })();
      lines.push(
        `| ${i === 0 ? p.network : ''} | ${i === 0 ? p.template : ''} | ${i === 0 ? budget : ''} | ${r.method === 'codesign' ? '**codesign**' : r.method} | ${r.feasible ? f(r.latency_ms, 3) : 'infeasible'} | ${r.feasible ? `${f(r.power_mW, 1)} (${f(r.leakage_mW, 2)})` : ''} | ${f(r.area_mm2, 3)} | ${r.feasible ? r.edp_Js.toExponential(3) : ''} | ${f(r.t_final, 1)} | ${match} |`,
      );
    });
    const base = p.runs.filter((r) => r.method !== 'codesign' && r.feasible);
    if (base.length === 0) continue;
    if (!ours.feasible) {
      sum.n++;
      sum.losses++;
      sum.lossCases.push(`${p.network} ${p.template} ${budget}: ours found nothing within the budget, ${base.map((b) => b.method).join(', ')} did`);
      continue;
    }
    const best = base.reduce((a, b) => (b.objective < a.objective ? b : a));
    sum.n++;
    const rel = ours.objective / best.objective;
    if (rel < 1 - 1e-6) sum.wins++;
    else if (rel <= 1 + 1e-6) sum.ties++;
    else {
      sum.losses++;
      sum.lossCases.push(`${p.network} ${p.template} ${budget}: ${best.method} ${f((rel - 1) * 100, 1)}% better`);
    }
    if (!p.budget.startsWith('EDP')) {
      sum.lat.push(best.latency_ms / ours.latency_ms);
      sum.pow.push(1 - ours.power_mW / best.power_mW);
      sum.area.push(best.area_mm2 / ours.area_mm2);
    }
    const tm = timeToMatch(ours.trace, best.objective);
    if (tm !== null && tm > 0) sum.speed.push(best.t_final / tm);
  }
  const gm = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / Math.max(1, xs.length));
  const max = (xs: number[]) => Math.max(...xs);
  process.stdout.write(lines.join('\n') + '\n\n');
  process.stdout.write(
    [
      `${SECONDS} s per method and point; ${sum.n} points with a feasible baseline: ours better than every baseline on ${sum.wins}, tied with the best on ${sum.ties}, worse on ${sum.losses}.`,
      `Against the best baseline of each power-budgeted point: up to ${f(max(sum.lat))}x lower latency (geomean ${f(gm(sum.lat), 3)}x), up to ${f(100 * max(sum.pow), 1)}% less power, up to ${f(max(sum.area))}x less area (geomean ${f(gm(sum.area), 3)}x);`,
      `ours reaches the best baseline's final result up to ${f(max(sum.speed), 1)}x sooner (geomean ${f(gm(sum.speed), 2)}x over ${sum.speed.length} points where it does).`,
      ...(sum.lossCases.length ? ['Where a baseline wins:', ...sum.lossCases.map((c) => `- ${c}`)] : []),
    ].join('\n') + '\n',
  );
}

await main();
