/**
 * A point's power per component (each storage level and the MACs): dynamic = the component's energy over the whole
 * network divided by its latency, leakage = what the component leaks (src/hardware/leakage.ts). The dynamic parts
 * sum to front.json's `power_breakdown_mW.dynamic`; what the levels and MACs do not cover (e.g. inter-PE links)
 * is its own row.
 */
import { leakageOf } from '../../src/hardware/leakage.js';
import type { OptimizeOutput } from '../../src/mapper/optimize.js';

export interface ComponentPower {
  component: string;
  dynamic_mW: number;
  leakage_mW: number;
}

export function powerBreakdown(out: OptimizeOutput, leakage: boolean): ComponentPower[] {
  const clock = out.arch.clockGHz;
  // pJ over the network -> mW: pJ / cycles x GHz
  const mW = (pJ: number) => (pJ * clock) / out.total.cycles;
  const leak = leakageOf(out.arch);
  const energy = new Map<string, number>();
  let mac = 0;
  for (const row of out.layers) {
    const n = row.layer.repeat * row.groups;
    for (const l of row.result.levels) energy.set(l.name, (energy.get(l.name) ?? 0) + n * l.energy_pJ);
    mac += n * row.result.mac_energy_pJ;
  }
  // outermost (DRAM) first, as the loop nests print them
  const rows: ComponentPower[] = [...out.arch.levels].reverse().map((l) => ({
    component: l.name,
    dynamic_mW: mW(energy.get(l.name) ?? 0),
    leakage_mW: leakage ? (leak.levels.find((x) => x.name === l.name)?.total_mW ?? 0) : 0,
  }));
  rows.push({ component: 'MACs', dynamic_mW: mW(mac), leakage_mW: leakage ? leak.mac.total_mW : 0 });
  const rest = mW(out.total.energy_pJ) - rows.reduce((a, r) => a + r.dynamic_mW, 0);
  if (Math.abs(rest) > 1e-9 * mW(out.total.energy_pJ)) rows.push({ component: 'other (links, networks)', dynamic_mW: rest, leakage_mW: 0 });
  return rows;
}
