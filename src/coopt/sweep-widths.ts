/**
 * The Pareto sweep over a template's datawidths (`--vary datawidth=4,8,16`): one `paretoSweep` per width on
 * `templateAtWidth(template, W)`, each its own front. Widths trade accuracy, which the model does not see, so their
 * points never compete with each other.
 */
import { templateAtWidth, type HardwareTemplate } from '../hardware/template.js';
import { paretoSweep, type SweepOptions, type SweepPoint, type SweepResult } from './sweep.js';

/** One width's sweep: the template at that width and what `paretoSweep` found on it. */
export interface WidthSweep {
  sweep: SweepResult;
  template: HardwareTemplate;
  /** the datapath width in bits when the template sweeps several widths, else null (one front, as before) */
  datawidth: number | null;
}

/** `paretoSweep` once per datawidth of `opts.template` (one entry for a template with one width); progress spans all. */
export async function paretoSweepByWidth(opts: SweepOptions): Promise<WidthSweep[]> {
  const widths = opts.template.datawidths;
  const out: WidthSweep[] = [];
  for (const [i, w] of widths.entries()) {
    const template = templateAtWidth(opts.template, w);
    const onProgress = opts.onProgress;
    const sweep = await paretoSweep({
      ...opts,
      template,
      ...(onProgress
        ? {
            onProgress: (f: number, s: string, best?: () => SweepPoint | null) =>
              onProgress((i + f) / widths.length, widths.length > 1 ? `${w}-bit: ${s}` : s, best),
          }
        : {}),
    });
    out.push({ sweep, template, datawidth: widths.length > 1 ? w : null });
  }
  return out;
}
