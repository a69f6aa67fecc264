/** Thin file layer over the pure Timeloop readers/writers (Node only). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { Accelerator } from '../hardware/accelerator.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Problem } from '../workload/layer.js';
import { buildAccelerator, writeArchitectureYaml, writeArtYaml, writeErtYaml, type TextInput } from './arch.js';
import { parseConstraints, writeConstraintsYaml } from './constraints.js';
import { parseMapping, writeMappingYaml } from './mapping.js';
import { parseProblem, writeProblemYaml } from './problem.js';

/** Read a text file; a missing or unreadable file is an InputError naming it. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(path, 'file', 'an existing file', 'no such file');
    if (code === 'EISDIR') throw new InputError(path, 'file', 'a file', 'a directory');
    if (code === 'EACCES') throw new InputError(path, 'file', 'a readable file', 'permission denied');
    throw new InputError(path, 'file', 'a readable file', code ?? String(e));
  }
}

export function readInput(path: string): TextInput {
  return { text: readTextFile(path), file: path };
}

/** Architecture (+ ERT, ART) files -> Accelerator and warnings about missing energy/area tables. */
export function loadAccelerator(paths: { arch: string; ert?: string; art?: string; name?: string }): { arch: Accelerator; warnings: string[] } {
  const inputs: Parameters<typeof buildAccelerator>[0] = { arch: readInput(paths.arch) };
  if (paths.ert) inputs.ert = readInput(paths.ert);
  if (paths.art) inputs.art = readInput(paths.art);
  if (paths.name !== undefined) inputs.name = paths.name;
  return buildAccelerator(inputs);
}

export function loadProblem(path: string, name?: string): Problem {
  return parseProblem(readTextFile(path), path, name);
}

export function loadMapping(path: string, arch: Accelerator, problem: Problem): Mapping {
  return parseMapping(readTextFile(path), path, arch, problem);
}

export function loadConstraints(path: string): Constraints {
  return parseConstraints(readTextFile(path), path);
}

/**
 * Write the Timeloop input files for one evaluation into `dir`: arch.yaml, ERT.yaml, ART.yaml and, when given,
 * problem.yaml, map.yaml, constraints.yaml. Returns the paths written.
 */
export function writeTimeloopFiles(
  dir: string,
  what: { arch: Accelerator; problem?: Problem; mapping?: Mapping; constraints?: Constraints },
): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['arch.yaml', writeArchitectureYaml(what.arch)],
    ['ERT.yaml', writeErtYaml(what.arch)],
    ['ART.yaml', writeArtYaml(what.arch)],
  ];
  if (what.problem) files.push(['problem.yaml', writeProblemYaml(what.problem)]);
  if (what.problem && what.mapping) files.push(['map.yaml', writeMappingYaml(what.mapping, what.arch, what.problem)]);
  if (what.constraints) files.push(['constraints.yaml', writeConstraintsYaml(what.constraints)]);
  return files.map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
}
