import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candidate } from '../../src/model/encode.js';
import { loadAccelerator, loadConstraints, loadMapping, loadProblem } from '../../src/timeloop/files.js';
import type { Constraints } from '../../src/mapping/constraints.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'timeloop');
export const CASES_DIR = join(FIXTURES, 'cases');

/** Timeloop's parsed results for one reference case (a slim copy of case.json). */
export interface Expected {
  case_id: string;
  arch: string;
  layer: string;
  mapping_tag: string;
  problem: { dims: Record<string, number>; occurrences_in_network: number; network: string; depthwise: boolean };
  results: { cycles: number; computes: number; energy_pJ: number; area_um2: number; edp_J_cycle: number; utilization_exact: number };
  levels: {
    name: string;
    kind: 'storage' | 'arithmetic';
    cycles?: number;
    energy_pJ: number | null;
    dataspaces?: Record<
      string,
      {
        partition_size: number;
        utilized_capacity: number;
        utilized_instances_max: number;
        scalar_reads_per_instance: number;
        scalar_fills_per_instance: number;
        scalar_updates_per_instance: number;
      }
    >;
  }[];
  mapper_run?: { wall_time_s: number; total_valid_mappings_evaluated: number; total_mappings_visited: number };
}

export interface RefCase {
  id: string;
  dir: string;
  cand: Candidate;
  expected: Expected;
  constraints: Constraints | null;
}

export function caseIds(): string[] {
  return readdirSync(CASES_DIR).sort();
}

export function loadRefCase(id: string): RefCase {
  const dir = join(CASES_DIR, id);
  const { arch } = loadAccelerator({ arch: join(dir, 'arch.yaml'), ert: join(dir, 'ERT.yaml'), art: join(dir, 'ART.yaml') });
  const problem = loadProblem(join(dir, 'problem.yaml'));
  const mapping = loadMapping(join(dir, 'map.yaml'), arch, problem);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const cpath = join(dir, 'constraints.yaml');
  return { id, dir, cand: { problem, arch, mapping }, expected, constraints: existsSync(cpath) ? loadConstraints(cpath) : null };
}
