import type { Command } from 'commander';
import { printError } from '../stderr.js';
import { InfeasibleError, InputError, show } from '../../errors.js';
import { existsSync } from 'node:fs';
import { isPreset } from '../../hardware/presets.js';
import { getTemplate, templateFromTimeloop, templateNames, type HardwareTemplate } from '../../hardware/template.js';
import { describeGoal } from '../../coopt/sweep.js';
import { paretoSweepByWidth } from '../../coopt/sweep-widths.js';
import { readInput } from '../../timeloop/files.js';
import { writeFronts } from '../../visualization/front-output.js';
import { collect, INPUT_SHAPE_HELP, loadNetwork, parsePositive, parseSeed, positiveDecimal, resolveConstraints } from '../inputs.js';
import { prepareOutputDir } from '../out-dir.js';
import { progress } from '../progress.js';
import { parseSeconds } from './optimize.js';
import * as fmt from '../format.js';
import { COOPT_METHODS, isCoOptMethod } from '../../coopt/methods.js';

interface ParetoOpts {
  network: string;
  template: string;
  arch?: string;
  ert?: string;
  art?: string;
  vary?: string;
  powerBudgets: string;
  objective: string;
  areaBudget?: string;
  seed: string;
  out?: string;
  compareWeightedSum?: boolean;
  timePerPoint: string;
  constraints?: string | boolean;
  batch?: string;
  inputShape?: string[];
  layers?: string;
  json?: boolean;
  method: string;
  leakage: boolean;
  restarts?: string;
}

export const DEFAULT_POWER_BUDGETS = '100,150,200,300,400,600,800,1200';

/** `--power-budgets 100,200` (mW) or `none` for a single point without a power budget. */
export function parsePowerBudgets(v: string): (number | null)[] {
  return v.trim() === 'none' ? [null] : parseBudgets(v, '--power-budgets');
}

export function parseBudgets(v: string, flag: string): number[] {
  const expected = 'a comma-separated list of positive numbers in mW, e.g. 50,100,200';
  const nums = v.split(',').map(positiveDecimal);
  if (nums.some((n) => n === null)) throw new InputError(flag, flag.replace(/^--/, ''), expected, show(v));
  return [...new Set(nums as number[])];
}

/** --restarts: a non-negative integer. */
function parseRestarts(v: string): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new InputError('--restarts', 'restarts', 'a non-negative integer', show(v));
  return n;
}

/** --area-budget: one positive number of mm^2 (a list is refused rather than cut to its first value). */
export function parseAreaBudget(v: string): number {
  return parsePositive(v, '--area-budget', 'one positive area in mm^2, e.g. 1.5');
}

/**
 * The template a pareto run co-optimizes: `--arch` (a Timeloop file, with `--ert`/`--art`; or a preset name) or
 * `--template`, with the `--vary` specs replacing the default variables.
 */
export function resolveTemplate(opts: Pick<ParetoOpts, 'template' | 'arch' | 'ert' | 'art' | 'vary'>): HardwareTemplate {
  const vary = opts.vary !== undefined ? { vary: opts.vary } : {};
  if (opts.arch === undefined) {
    if (opts.ert !== undefined || opts.art !== undefined)
      throw new InputError(opts.ert !== undefined ? '--ert' : '--art', 'arch', 'an --arch file for the ERT/ART tables', 'no --arch');
    return getTemplate(opts.template, vary);
  }
  if (!existsSync(opts.arch) && isPreset(opts.arch) && opts.ert === undefined && opts.art === undefined) return getTemplate(opts.arch, vary);
  const files: Parameters<typeof templateFromTimeloop>[0] = { arch: readInput(opts.arch, 'architecture') };
  if (opts.ert !== undefined) files.ert = readInput(opts.ert, 'ERT');
  if (opts.art !== undefined) files.art = readInput(opts.art, 'ART');
  return templateFromTimeloop(files, opts.vary);
}

export function registerPareto(program: Command): void {
  program
    .command('pareto')
    .description('Co-optimize hardware and mappings for a sweep of power budgets: the latency-power Pareto front')
    .option('--network <name>', 'a built-in network or a .onnx file', 'resnet18')
    .option('--input-shape <NAME=DIMS>', INPUT_SHAPE_HELP, collect)
    .option('--template <name>', `hardware template: ${templateNames().join(', ')}`, 'eyeriss-like')
    .option('--arch <file>', 'a Timeloop architecture (v0.3 or v0.4 YAML) to co-optimize instead of --template')
    .option('--ert <file>', 'its energy reference table (default: energies from the fitted cost model)')
    .option('--art <file>', 'its area reference table (default: areas from the fitted cost model)')
    .option(
      '--vary <specs>',
      'what the hardware search may change, e.g. "PE.meshX=4..32,PE.meshY=4..32,GLB.depth=1024..65536,GLB.bandwidth=8..64,datawidth=4,8,16"',
    )
    .option(
      '--power-budgets <mW,...>',
      'power budgets in mW, one Pareto point each; `none` for one point without a power budget',
      DEFAULT_POWER_BUDGETS,
    )
    .option('--objective <name>', 'minimized within the budgets: latency, or edp (e.g. EDP under an area budget)', 'latency')
    .option('--area-budget <mm2>', 'area budget in mm^2 for every point')
    .option('--seed <n>', 'random seed', '1')
    .option('--time-per-point <s>', 'seconds per budget point (and per weighted-sum weight); the search uses all of it', '6')
    .option(
      '--restarts <n>',
      'codesign: hardware-search restarts per point (default: as many as --time-per-point allows; a number lets a point end on its own, a function of the seed)',
    )
    .option('--out <dir>', 'write front.json, front.csv, report.html and per-point mappings here (default out/pareto-NETWORK-TEMPLATE)')
    .option('--compare-weighted-sum', 'also run a weighted sum of latency and power on the same number of model evaluations')
    .option('--constraints <file>', "Timeloop constraints YAML (default: the template preset's)")
    .option('--no-constraints', 'search the whole map space the hardware allows')
    .option('--batch <n>', 'batch size of the network')
    .option('--layers <names>', 'only these layers of the network (comma-separated names, see `codesign networks`)')
    .option('--json', 'print front.json to stdout (no progress bar)')
    .option('--method <name>', `co-optimization method: ${COOPT_METHODS.join(', ')} (codesign is ours)`, 'codesign')
    .option('--no-leakage', "no static power: power and energy are Timeloop's dynamic figures only")
    .addHelpText(
      'after',
      [
        '',
        'Each budget point minimizes network latency subject to power <= budget (and area <= --area-budget): a relaxed',
        'joint optimization with gradients through the hardware variables, per-layer mapping search on its legalized',
        'optima and on a space-filling design over the template, and a hardware local search (compass and pattern',
        'moves) from the best few, with restarts until --time-per-point is up. Infeasible budgets are reported with the',
        'tightest constraint.',
        '',
        'Examples:',
        '  $ codesign pareto --network resnet18 --template eyeriss-like --power-budgets 100,200,400,800 --out out/front',
        '  $ codesign pareto --power-budgets 200,400 --area-budget 1.5 --compare-weighted-sum --time-per-point 30',
        '  $ codesign pareto --objective edp --power-budgets none --area-budget 1.0     # EDP under an area budget',
        '  $ codesign pareto --method digamma --power-budgets 200,400 --time-per-point 30   # a baseline on the same budgets',
        '  $ codesign pareto --arch gemmini.yaml --vary "Column.meshX=4..32,Row.meshY=4..32,Scratchpad.depth=1024..16384"',
        '  $ codesign pareto --template simba-like --vary "PE.meshX=1..32,GlobalBuffer.depth=512..8192,datawidth=4,8,16"',
        '',
        '--vary specs (comma-separated): LEVEL.depth=MIN..MAX (powers of two for SRAMs), NAME.meshX=MIN..MAX and',
        'NAME.meshY=MIN..MAX (NAME: the level or container carrying the instances, e.g. PE; levels below scale with it),',
        "LEVEL.bandwidth=MIN..MAX (the file's bandwidth times a power of two), datawidth=W,W,... (one front per width).",
      ].join('\n'),
    )
    .action(async (opts: ParetoOpts, cmd: Command) => {
      // --template has a default, so only a --template typed next to --arch is a conflict
      if (opts.arch !== undefined && cmd.getOptionValueSource('template') === 'cli')
        throw new InputError('--template', 'template', 'either --template or --arch, not both', show(opts.template));
      const template = resolveTemplate(opts);
      if (!isCoOptMethod(opts.method)) throw new InputError('--method', 'method', COOPT_METHODS.join(', '), show(opts.method));
      const powerBudgets = parsePowerBudgets(opts.powerBudgets);
      if (opts.objective !== 'latency' && opts.objective !== 'edp')
        throw new InputError('--objective', 'objective', 'latency or edp', show(opts.objective));
      const areaBudget = opts.areaBudget === undefined ? null : parseAreaBudget(opts.areaBudget);
      const seed = parseSeed(opts.seed);
      const timePerPoint = parseSeconds(opts.timePerPoint, '--time-per-point');
      const restarts = opts.restarts === undefined ? undefined : parseRestarts(opts.restarts);
      const net = loadNetwork({ network: opts.network, batch: opts.batch, layers: opts.layers, inputShape: opts.inputShape });
      const constraintsFor = resolveConstraints({
        arch: opts.arch ?? template.name,
        ...(opts.constraints !== undefined ? { constraints: opts.constraints } : {}),
      });
      const dir = prepareOutputDir(opts.out ?? `out/pareto-${net.name}-${template.name}`, '--out');
      for (const w of template.warnings) printError(`warning: ${w}`);
      const bar = progress(`pareto ${net.name} on ${template.name}`, !opts.json);
      // one sweep per datawidth (--vary datawidth=...): each width gets its own front
      const parts = await paretoSweepByWidth({
        template,
        layers: net.layers,
        constraintsFor,
        powerBudgets,
        areaBudget,
        seed,
        timePerPoint,
        compareWeightedSum: !!opts.compareWeightedSum,
        objective: opts.objective,
        method: opts.method,
        leakage: opts.leakage,
        ...(restarts !== undefined ? { restarts } : {}),
        onProgress: (f, s) => bar.update(f, s),
      });
      bar.stop();
      const front = await writeFronts(dir, parts, constraintsFor, { network: net.name, template: template.name });
      const sweep = parts[0]!.sweep;
      const seconds = parts.reduce((a, x) => a + x.sweep.seconds, 0);
      const evaluations = parts.reduce((a, x) => a + x.sweep.evaluations.constrained, 0);
      const infeasible = parts.flatMap((x) =>
        x.sweep.constrained.filter((p) => p.infeasible).map((p) => ({ ...p, width: x.datawidth === null ? '' : `${x.datawidth}-bit: ` })),
      );
      for (const p of infeasible) printError(`${p.width}${describeGoal(p.goal)}: infeasible: ${p.infeasible}`);
      if (front.points.length === 0)
        throw new InfeasibleError(`no power budget could be met; the tightest: ${infeasible[0]?.infeasible ?? 'unknown'}`);
      if (opts.json) {
        process.stdout.write(JSON.stringify(front) + '\n');
        return;
      }
      const rows = front.points.map((p) => [
        `${p.budget.power_mW ?? '-'} mW`,
        p.latency_cycles.toLocaleString('en-US'),
        `${p.latency_ms.toFixed(3)} ms`,
        fmt.power(p.power_mW),
        fmt.power(p.power_breakdown_mW?.leakage ?? 0),
        fmt.energy(p.energy_pJ),
        `${p.area_mm2.toFixed(3)} mm^2`,
        Object.entries(p.hardware)
          .filter(([k]) => k !== 'template')
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      ]);
      process.stdout.write(
        `${net.name} on ${template.name} (${sweep.method}${sweep.leakage ? '' : ', no leakage'}): ${front.points.length} Pareto points in ${seconds.toFixed(0)} s (${evaluations.toLocaleString('en-US')} model evaluations)\n` +
          `varied: ${template.vary || 'nothing'}\n\n` +
          fmt.table(['budget', 'latency (cycles)', 'latency', 'power', 'of it leakage', 'energy', 'area', 'hardware'], rows, 1) +
          parts
            .filter((p) => p.sweep.weighted)
            .map(
              ({ sweep: s, datawidth }) =>
                `\n\n${datawidth === null ? '' : `${datawidth}-bit: `}weighted sum: ${s.weighted!.filter((p) => p.result).length} points on ${s.evaluations.weighted!.toLocaleString('en-US')} evaluations\n` +
                `hypervolume (latency ms x power mW, reference ${s.hypervolume.reference.latency_ms.toFixed(2)} ms, ${s.hypervolume.reference.power_mW.toFixed(1)} mW): ` +
                `epsilon-constraint ${s.hypervolume.constrained.toFixed(1)}, weighted sum ${s.hypervolume.weighted!.toFixed(1)}`,
            )
            .join('') +
          `\n\nwrote ${dir}/front.json, front.csv, report.html and per-point Timeloop files\n`,
      );
    });
}
