/** Thin file layer over the pure Timeloop readers/writers (Node only). */
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { Accelerator } from '../hardware/accelerator.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Mapping } from '../mapping/mapping.js';
import type { Problem } from '../workload/layer.js';
import { buildAccelerator, writeArchitectureYaml, writeArtYaml, writeErtYaml, type TextInput } from './arch.js';
import { parseConstraints, writeConstraintsYaml } from './constraints.js';
import { parseMapping, parseMappingFile, writeMappingYaml } from './mapping.js';
import { parseProblem, writeProblemYaml } from './problem.js';

/**
 * The largest file read, per kind (bytes). The reference inputs are 1-4 KB; Accelergy-generated tables of large
 * designs reach a few hundred KB. Anything bigger is refused before it is parsed.
 */
export const FILE_LIMITS = {
  architecture: 4 << 20,
  ERT: 4 << 20,
  ART: 4 << 20,
  problem: 256 << 10,
  mapping: 1 << 20,
  constraints: 1 << 20,
} as const;
export type FileKind = keyof typeof FILE_LIMITS;

/** "4 MiB", "256 KiB" */
export function formatBytes(n: number): string {
  return n >= 1 << 20 && n % (1 << 20) === 0 ? `${n >> 20} MiB` : n >= 1 << 10 && n % (1 << 10) === 0 ? `${n >> 10} KiB` : `${n} bytes`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function fileError(path: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(path, 'file', 'an existing file', 'no such file');
  if (code === 'ENOTDIR') return new InputError(path, 'file', 'an existing file', 'a path through a file that is not a folder');
  if (code === 'EISDIR') return new InputError(path, 'file', 'a file', 'a directory');
  if (code === 'EACCES' || code === 'EPERM') return new InputError(path, 'file', 'a readable file', 'permission denied');
  return new InputError(path, 'file', 'a readable file', code ?? String(e));
}

/**
 * Read a text file of the given kind. Only regular files are read (a device, pipe or socket is refused before it is
 * opened, so `/dev/zero` or a FIFO cannot hang the reader), and at most FILE_LIMITS[kind] bytes: a larger file is an
 * InputError naming the limit. A missing or unreadable file is an InputError naming it.
 */
export function readTextFile(path: string, kind: FileKind): string {
  const limit = FILE_LIMITS[kind];
  const tooBig = (size: string) =>
    new InputError(path, 'file', `${kind === 'ERT' || kind === 'ART' ? `an ${kind}` : `a ${kind}`} file of at most ${formatBytes(limit)}`, size);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw fileError(path, e);
  }
  if (!st.isFile()) throw new InputError(path, 'file', 'a regular file', kindOf(st));
  if (st.size > limit) throw tooBig(`${st.size.toLocaleString('en-US')} bytes`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    // bounded read: the size can lie (files under /proc report 0) or grow while we read
    const buf = Buffer.alloc(Math.min(limit + 1, Math.max(st.size + 1, 64 << 10)));
    let n = 0;
    let chunk = buf;
    for (;;) {
      if (n === chunk.length) {
        if (chunk.length > limit) throw tooBig('more bytes');
        const bigger = Buffer.alloc(Math.min(limit + 1, chunk.length * 2));
        chunk.copy(bigger, 0, 0, n);
        chunk = bigger;
      }
      let got: number;
      try {
        got = readSync(fd, chunk, n, chunk.length - n, null);
      } catch (e) {
        throw fileError(path, e);
      }
      if (got === 0) break;
      n += got;
    }
    return chunk.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

export function readInput(path: string, kind: FileKind): TextInput {
  return { text: readTextFile(path, kind), file: path };
}

/** Architecture (+ ERT, ART) files -> Accelerator and warnings about missing energy/area tables. */
export function loadAccelerator(paths: { arch: string; ert?: string; art?: string; name?: string }): { arch: Accelerator; warnings: string[] } {
  const inputs: Parameters<typeof buildAccelerator>[0] = { arch: readInput(paths.arch, 'architecture') };
  if (paths.ert) inputs.ert = readInput(paths.ert, 'ERT');
  if (paths.art) inputs.art = readInput(paths.art, 'ART');
  if (paths.name !== undefined) inputs.name = paths.name;
  return buildAccelerator(inputs);
}

export function loadProblem(path: string, name?: string): Problem {
  return parseProblem(readTextFile(path, 'problem'), path, name);
}

export function loadMapping(path: string, arch: Accelerator, problem: Problem): Mapping {
  return parseMapping(readTextFile(path, 'mapping'), path, arch, problem);
}

/** `loadMapping` with what timeloop-model would refuse in the file (see `parseMappingFile`). */
export function loadMappingFile(path: string, arch: Accelerator, problem: Problem): ReturnType<typeof parseMappingFile> {
  return parseMappingFile(readTextFile(path, 'mapping'), path, arch, problem);
}

export function loadConstraints(path: string): Constraints {
  return parseConstraints(readTextFile(path, 'constraints'), path);
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
