/**
 * One sweep job = one Pareto front, run over the same library calls as `codesign pareto`, written to its own front
 * folder. The outcome is plain data (sent over IPC and stored in Redis as the job's return value).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { InfeasibleError, InputError } from '../errors.js';
import { getTemplate, templateFromTimeloop, type HardwareTemplate } from '../hardware/template.js';
import { paretoSweep } from '../coopt/sweep.js';
import { writeFront } from '../visualization/front-output.js';
import type { FrontJson } from '../visualization/front.js';
import { loadNetwork, resolveConstraints } from '../cli/inputs.js';
import { jobLabel, networkOptions, templateName, type Job, type JobInput } from './spec.js';

/** What results.jsonl says about the job besides the point's figures (no file contents). */
export function jobSummary(id: string, input: JobInput) {
  return {
    job: id,
    network: input.network.name,
    ...(input.network.layers ? { layer_subset: input.network.layers } : {}),
    ...(input.network.batch ? { batch: input.network.batch } : {}),
    template: templateName(input.template),
    ...(input.template.vary ? { vary: input.template.vary } : {}),
    method: input.method,
    seed: input.seed,
    objective: input.objective,
    power_budgets_mW: input.power_budgets_mW,
    area_budget_mm2: input.area_budget_mm2,
    time_per_point_s: input.time_per_point_s,
    leakage: input.leakage,
  };
}

export type JobOutcome =
  | { id: string; status: 'done'; label: string; front: FrontJson; infeasible: string[] }
  | { id: string; status: 'failed'; label: string; reason: string };

export function templateOf(t: JobInput['template']): HardwareTemplate {
  if ('preset' in t) return getTemplate(t.preset, t.vary !== undefined ? { vary: t.vary } : {});
  const files: Parameters<typeof templateFromTimeloop>[0] = { arch: t.arch };
  if (t.ert) files.ert = t.ert;
  if (t.art) files.art = t.art;
  return templateFromTimeloop(files, t.vary);
}

function networkOf(n: JobInput['network']) {
  if (n.file_b64 === undefined) return loadNetwork(networkOptions(n));
  // a network file travels in the job: written to a temp file with its extension for the network loader
  const tmp = mkdtempSync(join(tmpdir(), 'codesign-net-'));
  try {
    const p = join(tmp, `network${extname(n.name)}`);
    writeFileSync(p, Buffer.from(n.file_b64, 'base64'));
    return loadNetwork(networkOptions(n, p));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Run a job into `dir` (its front folder). Bad input and infeasible budgets are a failed outcome with the one-line
 * reason (not thrown: they would fail the same way again); anything else is thrown.
 */
export async function runJob(job: Job, dir: string): Promise<JobOutcome> {
  const label = jobLabel(job.input);
  const input = job.input;
  try {
    const template = templateOf(input.template);
    const net = networkOf(input.network);
    const constraintsFor = resolveConstraints({ arch: 'preset' in input.template ? input.template.preset : input.template.arch.file });
    const sweep = await paretoSweep({
      template,
      layers: net.layers,
      constraintsFor,
      powerBudgets: input.power_budgets_mW,
      areaBudget: input.area_budget_mm2,
      seed: input.seed,
      timePerPoint: input.time_per_point_s,
      compareWeightedSum: false,
      objective: input.objective,
      method: input.method,
      leakage: input.leakage,
    });
    const front = await writeFront(dir, sweep, { problems: sweep.problems, template }, constraintsFor, { network: net.name });
    const infeasible = sweep.constrained.filter((p) => p.infeasible).map((p) => p.infeasible!);
    if (front.points.length === 0)
      return { id: job.id, status: 'failed', label, reason: `infeasible: no power budget could be met; the tightest: ${infeasible[0] ?? 'unknown'}` };
    return { id: job.id, status: 'done', label, front, infeasible };
  } catch (e) {
    if (e instanceof InputError || e instanceof InfeasibleError) return { id: job.id, status: 'failed', label, reason: e.message };
    throw e;
  }
}

/** Every file of a front folder (relative path -> UTF-8 text), to ship it from a remote worker to the collector. */
export function readFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
