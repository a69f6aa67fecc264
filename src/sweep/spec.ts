/**
 * The sweep file (YAML): networks x templates x methods x seeds, each a Pareto front over the power budgets. Parsed
 * and validated here (zod), expanded into self-contained jobs: every file a job needs travels in the job itself, so a
 * worker on another machine needs no shared file system, and the job id is a hash of all of it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parse as parseYamlText } from 'yaml';
import { InputError, show } from '../errors.js';
import { COOPT_METHODS, type CoOptMethod } from '../coopt/methods.js';
import { loadNetwork } from '../cli/inputs.js';

/** A network as a job carries it: a built-in name, or a file (e.g. ONNX) with its bytes. */
export interface JobNetwork {
  name: string;
  /** base64 of the file when `name` is a file path */
  file_b64?: string;
  batch?: number;
  layers?: string;
  /** an ONNX graph input's static shape, by input name */
  input_shapes?: Record<string, number[]>;
}

/** A template as a job carries it: a preset name, or Timeloop texts with the `vary` specs. */
export type JobTemplate =
  | { preset: string; vary?: string }
  | { arch: { file: string; text: string }; ert?: { file: string; text: string }; art?: { file: string; text: string }; vary?: string };

/** Everything one Pareto front depends on. */
export interface JobInput {
  network: JobNetwork;
  template: JobTemplate;
  power_budgets_mW: (number | null)[];
  area_budget_mm2: number | null;
  objective: 'latency' | 'edp';
  method: CoOptMethod;
  seed: number;
  time_per_point_s: number;
  leakage: boolean;
}

export interface Job {
  id: string;
  input: JobInput;
}

const positive = z.number().finite().positive();
const networkEntry = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      batch: z.number().int().positive().optional(),
      layers: z.string().min(1).optional(),
      input_shapes: z.record(z.string(), z.array(z.number().int().positive()).min(1)).optional(),
    })
    .strict(),
]);
const templateEntry = z.union([
  z.string().min(1),
  z
    .object({ arch: z.string().min(1), ert: z.string().min(1).optional(), art: z.string().min(1).optional(), vary: z.string().min(1).optional() })
    .strict(),
]);
const sweepSchema = z
  .object({
    networks: z.array(networkEntry).min(1),
    templates: z.array(templateEntry).min(1),
    power_budgets_mW: z.union([z.array(positive).min(1), z.literal('none')]),
    area_budget_mm2: positive.optional(),
    objective: z.enum(['latency', 'edp']).optional(),
    methods: z
      .array(z.enum(COOPT_METHODS as unknown as [string, ...string[]]))
      .min(1)
      .optional(),
    seeds: z.array(z.number().int().nonnegative()).min(1).optional(),
    time_per_point_s: positive.optional(),
    leakage: z.boolean().optional(),
  })
  .strict();

/** The parsed sweep file: its jobs in file order (networks, then templates, methods, seeds). */
export interface Sweep {
  file: string;
  jobs: Job[];
}

const MAX_FILE_BYTES = 64 * 1024 * 1024;

function readInput(sweepFile: string, field: string, path: string): Buffer {
  const p = resolve(dirname(sweepFile), path);
  if (!existsSync(p) || !statSync(p).isFile()) throw new InputError(sweepFile, field, 'an existing file', show(path));
  if (statSync(p).size > MAX_FILE_BYTES) throw new InputError(sweepFile, field, `a file of at most ${MAX_FILE_BYTES} bytes`, show(path));
  return readFileSync(p);
}

/** The network loader's options for a job's network (the file itself is `name` or a temp copy of `file_b64`). */
export function networkOptions(n: JobNetwork, path = n.name): Parameters<typeof loadNetwork>[0] {
  const o: Parameters<typeof loadNetwork>[0] = { network: path };
  if (n.batch !== undefined) o.batch = String(n.batch);
  if (n.layers !== undefined) o.layers = n.layers;
  if (n.input_shapes !== undefined) o.inputShape = Object.entries(n.input_shapes).map(([k, d]) => `${k}=${d.join(',')}`);
  return o;
}

/** Stable JSON (sorted keys) so that the same inputs always hash the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export function jobId(input: JobInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 16);
}

/** A readable label of a job (network, template, method, seed). */
export function jobLabel(input: JobInput): string {
  return `${input.network.name}${input.network.layers ? `[${input.network.layers}]` : ''} / ${templateName(input.template)} / ${input.method} / seed ${input.seed}`;
}

export function templateName(t: JobTemplate): string {
  return 'preset' in t ? t.preset : t.arch.file;
}

/** Parse and validate a sweep file; bad input is one InputError line naming the file and field. */
export function loadSweep(file: string): Sweep {
  if (!existsSync(file) || !statSync(file).isFile()) throw new InputError(file, 'sweep file', 'an existing YAML file', 'no such file');
  let raw: unknown;
  try {
    raw = parseYamlText(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(file, 'YAML', 'valid YAML', show((e as Error).message.split('\n')[0]));
  }
  return sweepFromObject(file, raw);
}

export function sweepFromObject(file: string, raw: unknown): Sweep {
  const parsed = sweepSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : 'top level';
    throw new InputError(
      file,
      field,
      issue.message.replace(/^Invalid input: /, '').toLowerCase(),
      issue.code === 'unrecognized_keys' ? 'an unknown key' : undefined,
    );
  }
  const s = parsed.data;
  const networks: JobNetwork[] = s.networks.map((n, i) => {
    const e = typeof n === 'string' ? { name: n } : n;
    const net: JobNetwork = { name: e.name };
    if (/[\\/]|\.onnx$/i.test(e.name)) net.file_b64 = readInput(file, `networks.${i}`, e.name).toString('base64');
    if (e.batch !== undefined) net.batch = e.batch;
    if (e.layers !== undefined) net.layers = e.layers;
    if (e.input_shapes !== undefined) net.input_shapes = e.input_shapes;
    // a built-in network (and its layer subset) is checked now, not in every job
    if (net.file_b64 === undefined)
      try {
        loadNetwork(networkOptions(net));
      } catch (err) {
        if (err instanceof InputError) throw new InputError(file, `networks.${i}`, err.expected, err.got);
        throw err;
      }
    return net;
  });
  const templates: JobTemplate[] = s.templates.map((t, i) => {
    if (typeof t === 'string') return { preset: t };
    // {arch: eyeriss-like, vary: ...}: a preset with other variables (a name that is no file next to the sweep file)
    if (!t.ert && !t.art && !existsSync(resolve(dirname(file), t.arch)) && !/[\\/]|\.ya?ml$/i.test(t.arch))
      return t.vary ? { preset: t.arch, vary: t.vary } : { preset: t.arch };
    const text = (k: 'arch' | 'ert' | 'art', p: string) => ({ file: p, text: readInput(file, `templates.${i}.${k}`, p).toString('utf8') });
    const out: JobTemplate = { arch: text('arch', t.arch) };
    if (t.ert) out.ert = text('ert', t.ert);
    if (t.art) out.art = text('art', t.art);
    if (t.vary) out.vary = t.vary;
    return out;
  });
  const budgets = s.power_budgets_mW === 'none' ? [null] : [...new Set(s.power_budgets_mW)];
  const jobs: Job[] = [];
  const seen = new Set<string>();
  for (const network of networks)
    for (const template of templates)
      for (const method of (s.methods ?? ['codesign']) as CoOptMethod[])
        for (const seed of s.seeds ?? [1]) {
          const input: JobInput = {
            network,
            template,
            power_budgets_mW: budgets,
            area_budget_mm2: s.area_budget_mm2 ?? null,
            objective: s.objective ?? 'latency',
            method,
            seed,
            time_per_point_s: s.time_per_point_s ?? 6,
            leakage: s.leakage ?? true,
          };
          const id = jobId(input);
          // an identical job listed twice (e.g. a repeated seed) is one job
          if (!seen.has(id)) jobs.push({ id, input });
          seen.add(id);
        }
  return { file, jobs };
}

/** Upper bound of one job's wall time: the per-point time x budgets, plus a margin for setup and file writing. */
export function jobTimeLimitS(input: JobInput): number {
  return input.time_per_point_s * input.power_budgets_mW.length * 2 + 120;
}
