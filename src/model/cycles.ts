/**
 * Cycles of one storage level as Timeloop v3.0.3 computes them (BufferLevel::ComputePerformance), in float64 with
 * its order of operations: per-dataspace bandwidth demands (per-instance scalar accesses / compute cycles) are summed
 * in dataspace order (Weights, Inputs, Outputs), the slowdown is the specified bandwidth over the demand where the
 * demand exceeds it, and the level takes ceil(compute cycles / slowdown). Reproducing the double rounding matters:
 * when the bandwidth-bound count is an exact integer, cc / (bw / demand) can land a hair above it and the ceiling
 * adds a cycle, exactly as Timeloop does.
 *
 * `shared` (one port for reads and writes) is not in Timeloop v3.0.3's buffer model; a level that names it is limited
 * by the sum of its read and write demand (no reference case has one).
 *
 * Counts are per instance; a bandwidth of null or 0 is unlimited.
 */
export function levelCycles(
  computeCycles: number,
  readW: number,
  readI: number,
  readO: number,
  writeW: number,
  writeI: number,
  writeO: number,
  readBandwidth: number | null,
  writeBandwidth: number | null,
  sharedBandwidth: number | null,
): number {
  const cc = computeCycles;
  const totalRead = 0.0 + readW / cc + readI / cc + readO / cc;
  const totalWrite = 0.0 + writeW / cc + writeI / cc + writeO / cc;
  let slowdown = 1.0;
  if (readBandwidth && readBandwidth < totalRead) slowdown = Math.min(slowdown, readBandwidth / totalRead);
  if (writeBandwidth && writeBandwidth < totalWrite) slowdown = Math.min(slowdown, writeBandwidth / totalWrite);
  if (sharedBandwidth && sharedBandwidth < totalRead + totalWrite) slowdown = Math.min(slowdown, sharedBandwidth / (totalRead + totalWrite));
  return Math.ceil(cc / slowdown);
}
