/**
 * What `codesign pareto --out DIR` writes (pure: the files as (path, text); ./front-output.js writes them, the web
 * app zips them): front.json (the schema of FrontJson), front.csv, report.html, and per
 * point a folder with the hardware as Timeloop architecture YAML (+ ERT, ART) and every layer's Timeloop mapping,
 * so that any point can be re-checked in timeloop-model.
 */
import { leakageEnergy, leakageOf } from '../hardware/leakage.js';
import type { Constraints } from '../mapping/constraints.js';
import { checkMapping } from '../mapping/check.js';
import { evaluate } from '../model/evaluate.js';
import { networkTotals } from '../model/network.js';
import type { HardwareEvaluator } from '../coopt/hardware-eval.js';
import type { WidthSweep } from '../coopt/sweep-widths.js';
import type { OptimizeOutput } from '../mapper/optimize.js';
import type { SweepPoint, SweepResult } from '../coopt/sweep.js';
import type { Problem } from '../workload/layer.js';
import type { FrontJson, FrontPoint } from './front.js';
import { optimizeOutputFiles } from './optimize-files.js';
import { renderReport } from './report.js';

export interface ExactPoint {
  point: FrontPoint;
  output: OptimizeOutput;
}

/**
 * Re-check a sweep point exactly: every chosen mapping passes the mapping check (constraints included) and is
 * evaluated by the exact model, whose figures go into front.json.
 */
export async function exactPoint(
  ev: Pick<HardwareEvaluator, 'problems' | 'template'> & { leakage?: boolean },
  sp: SweepPoint,
  constraintsFor: (p: Problem) => Constraints | null,
  mappingsDir: string,
  extra: Record<string, unknown> = {},
): Promise<ExactPoint | null> {
  const r = sp.result;
  if (!r || !sp.mappings) return null;
  const arch = r.hw.arch;
  ev.problems.forEach((p, l) => {
    const v = checkMapping(p.problem, arch, sp.mappings![l]!, constraintsFor(p.problem) ?? undefined);
    if (v.length > 0) throw new Error(`internal: invalid mapping for ${p.layer.name} at ${mappingsDir}: ${v[0]!.message}`);
  });
  const results = await evaluate(ev.problems.map((p, l) => ({ problem: p.problem, arch, mapping: sp.mappings![l]! })));
  const rows = ev.problems.map((p, l) => ({ layer: p.layer, problem: p.problem, groups: p.groups, mapping: sp.mappings![l]!, result: results[l]! }));
  const total = networkTotals(rows);
  const ms = total.cycles / (arch.clockGHz * 1e6);
  // Timeloop's (dynamic) energy from the exact model, plus leakage power x latency on top (src/hardware/leakage.ts)
  const leak = (ev.leakage ?? true) ? leakageOf(arch).total_mW : 0;
  const dynamic = (total.energy_pJ * arch.clockGHz) / total.cycles;
  const energy = total.energy_pJ + leakageEnergy(leak, total.cycles, arch.clockGHz);
  const budget = sp.goal.kind === 'budget' ? sp.goal.budgets : { power_mW: null, area_mm2: sp.goal.area_mm2 };
  const point: FrontPoint = {
    budget: { power_mW: budget.power_mW, area_mm2: budget.area_mm2 },
    hardware: { template: ev.template.name, ...extra, ...r.hw.values, ...(sp.goal.kind === 'weighted' ? { weight: sp.goal.weight } : {}) },
    latency_cycles: total.cycles,
    latency_ms: ms,
    energy_pJ: energy,
    power_mW: dynamic + leak,
    power_breakdown_mW: { dynamic, leakage: leak },
    area_mm2: results[0]!.area_um2 / 1e6,
    mappings_dir: mappingsDir,
    layers: rows.map((x) => ({
      name: x.layer.name,
      repeat: x.layer.repeat * x.groups,
      cycles: x.result.cycles,
      energy_pJ: x.result.energy_pJ,
      utilization: x.result.utilization,
    })),
    feasible:
      (budget.power_mW === null || dynamic + leak <= budget.power_mW * (1 + 1e-6)) &&
      (budget.area_mm2 === null || results[0]!.area_um2 / 1e6 <= budget.area_mm2),
  };
  const output: OptimizeOutput = {
    arch,
    objective: 'latency',
    layers: rows,
    total,
    search: { method: 'codesign co-optimization', best: [], trace: [], evaluations: 0, seconds: 0 },
  };
  return { point, output };
}

export function frontCsv(front: FrontJson): string {
  const head = [
    'front',
    'budget_power_mW',
    'budget_area_mm2',
    'latency_cycles',
    'latency_ms',
    'energy_pJ',
    'power_mW',
    'dynamic_power_mW',
    'leakage_power_mW',
    'area_mm2',
    'hardware',
    'mappings_dir',
  ];
  const row = (kind: string, p: FrontPoint) =>
    [
      kind,
      p.budget.power_mW ?? '',
      p.budget.area_mm2 ?? '',
      p.latency_cycles,
      p.latency_ms,
      p.energy_pJ,
      p.power_mW,
      p.power_breakdown_mW?.dynamic ?? p.power_mW,
      p.power_breakdown_mW?.leakage ?? 0,
      p.area_mm2,
      `"${JSON.stringify(p.hardware).replace(/"/g, '""')}"`,
      p.mappings_dir,
    ].join(',');
  return (
    [
      head.join(','),
      ...front.points.map((p) => row('constrained', p)),
      ...(front.weighted_sum?.points ?? []).map((p) => row('weighted_sum', p)),
    ].join('\n') + '\n'
  );
}

/** One sweep of a front: a template (at one datawidth) and what `paretoSweep` found on it (see paretoSweepByWidth). */
export type FrontPart = WidthSweep;

export interface FrontFiles {
  front: FrontJson;
  /** every file under the output folder as (relative path, text): front.json, front.csv, report.html, points/... */
  files: [string, string][];
}

/** front.json of one sweep and every file `codesign pareto --out` writes for it (see buildFronts). */
export function buildFront(
  sweep: SweepResult,
  ev: Pick<HardwareEvaluator, 'problems' | 'template'>,
  constraintsFor: (p: Problem) => Constraints | null,
  opts: { network: string },
): Promise<FrontFiles> {
  return buildFronts([{ sweep, template: ev.template, datawidth: null }], constraintsFor, opts);
}

/**
 * front.json from one or more sweeps (one per datawidth), with an exact re-evaluation of every point: the points of
 * every part, each width's marked in its hardware (`datawidth`) and folder (`points/8b-00-100mW`), with the
 * hypervolume of each width's front apart; and every file of the output folder (front.json, front.csv, report.html,
 * each point's Timeloop files).
 */
export async function buildFronts(
  parts: readonly FrontPart[],
  constraintsFor: (p: Problem) => Constraints | null,
  opts: { network: string; template?: string },
): Promise<FrontFiles> {
  if (parts.length === 0) throw new Error('internal: buildFronts without a sweep');
  const files: [string, string][] = [];
  const templateName = opts.template ?? parts[0]!.template.name;
  const build = async (part: FrontPart, list: SweepPoint[], prefix: string) => {
    const out: FrontPoint[] = [];
    const extra = part.datawidth === null ? {} : { datawidth: part.datawidth };
    const ev = { problems: part.sweep.problems, template: { ...part.template, name: templateName }, leakage: part.sweep.leakage };
    for (const [i, sp] of list.entries()) {
      const label = sp.goal.kind === 'budget' ? `${sp.goal.budgets.power_mW ?? 'none'}mW` : `w${sp.goal.weight.toFixed(3)}`;
      const sub = `${prefix}${part.datawidth === null ? '' : `${part.datawidth}b-`}${String(i).padStart(2, '0')}-${label}`;
      const x = await exactPoint(ev, sp, constraintsFor, sub, extra);
      if (!x) continue;
      for (const [name, text] of optimizeOutputFiles(x.output, constraintsFor)) files.push([`${sub}/${name}`, text]);
      out.push(x.point);
    }
    return out;
  };
  const points: FrontPoint[] = [];
  const weighted: FrontPoint[] = [];
  for (const part of parts) {
    points.push(...(await build(part, part.sweep.constrained, 'points/')));
    if (part.sweep.weighted) weighted.push(...(await build(part, part.sweep.weighted, 'weighted/')));
  }
  const hv = (p: FrontPart) => ({ constrained: p.sweep.hypervolume.constrained, weighted_sum: p.sweep.hypervolume.weighted });
  const front: FrontJson = {
    method: parts[0]!.sweep.method,
    leakage: parts[0]!.sweep.leakage,
    points,
    weighted_sum: parts.some((p) => p.sweep.weighted) ? { points: weighted } : null,
    // fronts of different widths are not comparable (accuracy is not modelled): one hypervolume per width
    hypervolume: parts.length === 1 ? hv(parts[0]!) : null,
  };
  if (parts.length > 1) front.datawidths = parts.map((p) => ({ datawidth: p.datawidth!, template: p.template.name, hypervolume: hv(p) }));
  files.push(['front.json', frontJsonText(front)]);
  files.push(['front.csv', frontCsv(front)]);
  files.push([
    'report.html',
    renderReport(front, { title: `${opts.network} on ${templateName}: latency vs power`, network: opts.network, template: templateName }),
  ]);
  return { front, files };
}

/** front.json's text, as the CLI writes it. */
export function frontJsonText(front: FrontJson): string {
  return JSON.stringify(front, null, 2) + '\n';
}
