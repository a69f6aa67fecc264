/**
 * Timeloop problem files <-> Problem. Shapes: CNN-Layer and Depthwise-CNN-Layer, inline (as the reference files write
 * them) or by name only (`shape: cnn-layer`), with the standard projections.
 */
import { DIMS, type Dim, type Problem } from '../workload/layer.js';
import { Ctx, join, parseYaml, toYaml } from './yaml.js';

const COEFFS = ['Wstride', 'Hstride', 'Wdilation', 'Hdilation'] as const;
type Coeff = (typeof COEFFS)[number];

function shapeDims(depthwise: boolean): Dim[] {
  return depthwise ? DIMS.filter((d) => d !== 'K') : [...DIMS];
}

/** The inline shape exactly as the reference problem files write it. */
export function standardShape(depthwise: boolean): Record<string, unknown> {
  const ch = depthwise ? 'C' : 'K';
  return {
    name: depthwise ? 'Depthwise-CNN-Layer' : 'CNN-Layer',
    dimensions: shapeDims(depthwise),
    coefficients: COEFFS.map((name) => ({ name, default: 1 })),
    'data-spaces': [
      { name: 'Weights', projection: depthwise ? [[['C']], [['R']], [['S']]] : [[['C']], [['K']], [['R']], [['S']]] },
      {
        name: 'Inputs',
        projection: [
          [['N']],
          [['C']],
          [
            ['R', 'Wdilation'],
            ['P', 'Wstride'],
          ],
          [
            ['S', 'Hdilation'],
            ['Q', 'Hstride'],
          ],
        ],
      },
      { name: 'Outputs', projection: [[['N']], [[ch]], [['Q']], [['P']]], 'read-write': true },
    ],
  };
}

/** shape name (lower case) -> depthwise? A Map, so that a name like "constructor" is simply unknown. */
const SHAPE_NAMES = new Map<string, boolean>([
  ['cnn-layer', false],
  ['cnn_layer', false],
  ['cnn', false],
  ['conv', false],
  ['depthwise-cnn-layer', true],
  ['depthwise_cnn_layer', true],
  ['depthwise', true],
]);

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Parse `problem: {shape, instance}`. `name` defaults to the file's base name. */
export function parseProblem(text: string, file: string, name?: string): Problem {
  const ctx = new Ctx(file);
  const root = ctx.obj(parseYaml(text, file), '(top level)', 'a YAML mapping with a problem: key');
  if (root.problem === undefined) ctx.fail('problem', 'a problem: section', undefined);
  const pr = ctx.obj(root.problem, 'problem');
  ctx.fields(pr, 'problem', ['shape', 'instance'], ['shape', 'instance']);

  // shape
  let depthwise: boolean;
  const defaults: Record<Coeff, number> = { Wstride: 1, Hstride: 1, Wdilation: 1, Hdilation: 1 };
  const shapeExpected = 'a shape named CNN-Layer or Depthwise-CNN-Layer';
  if (typeof pr.shape === 'string') {
    depthwise = SHAPE_NAMES.get(pr.shape.toLowerCase()) ?? ctx.fail('problem.shape', shapeExpected, pr.shape);
  } else {
    const sh = ctx.obj(pr.shape, 'problem.shape', `${shapeExpected} (inline or by name)`);
    ctx.fields(sh, 'problem.shape', ['name', 'dimensions', 'coefficients', 'data-spaces'], ['name']);
    const n = ctx.str(sh.name, 'problem.shape.name', shapeExpected);
    depthwise = SHAPE_NAMES.get(n.toLowerCase()) ?? ctx.fail('problem.shape.name', shapeExpected, n);
    const std = standardShape(depthwise);
    if (sh.dimensions !== undefined && !sameJson(sh.dimensions, std.dimensions)) {
      ctx.fail('problem.shape.dimensions', `the ${std.name as string} dimensions [${(std.dimensions as string[]).join(', ')}]`, sh.dimensions);
    }
    if (sh['data-spaces'] !== undefined && !sameJson(sh['data-spaces'], std['data-spaces'])) {
      ctx.fail(
        'problem.shape.data-spaces',
        `the standard ${std.name as string} data-spaces (Weights, Inputs, Outputs with Timeloop's projections; custom shapes are not supported)`,
        sh['data-spaces'],
      );
    }
    if (sh.coefficients !== undefined) {
      ctx.list(sh.coefficients, 'problem.shape.coefficients').forEach((c, i) => {
        const p = `problem.shape.coefficients[${i}]`;
        const co = ctx.obj(c, p);
        ctx.fields(co, p, ['name', 'default'], ['name']);
        const cn = ctx.str(co.name, join(p, 'name'));
        if (!(COEFFS as readonly string[]).includes(cn)) ctx.fail(join(p, 'name'), `one of ${COEFFS.join(', ')}`, cn);
        if (co.default !== undefined) defaults[cn as Coeff] = ctx.posInt(co.default, join(p, 'default'));
      });
    }
  }

  // instance
  const inst = ctx.obj(pr.instance, 'problem.instance');
  const dims = shapeDims(depthwise);
  ctx.fields(inst, 'problem.instance', [...dims, ...COEFFS]);
  const out: Record<Dim, number> = { R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 };
  for (const d of dims) out[d] = ctx.posInt(inst[d], `problem.instance.${d}`, 'a positive integer');
  const coeff = (c: Coeff): number => (inst[c] === undefined ? defaults[c] : ctx.posInt(inst[c], `problem.instance.${c}`, 'a positive integer'));
  return {
    name: name ?? baseName(file),
    depthwise,
    dims: out,
    Wstride: coeff('Wstride'),
    Hstride: coeff('Hstride'),
    Wdilation: coeff('Wdilation'),
    Hdilation: coeff('Hdilation'),
  };
}

function baseName(file: string): string {
  const b = file.split(/[\\/]/).pop() ?? file;
  return b.replace(/\.(ya?ml|json)$/i, '');
}

/** Write the problem with its shape inline, as the reference files do. */
export function writeProblemYaml(p: Problem): string {
  const instance: Record<string, number> = {};
  for (const d of shapeDims(p.depthwise)) instance[d] = p.dims[d];
  for (const c of COEFFS) instance[c] = p[c];
  return toYaml({ problem: { shape: standardShape(p.depthwise), instance } });
}
