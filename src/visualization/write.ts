/** Write the HTML report of a front to a file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FrontJson } from './front.js';
import { renderReport, type ReportOptions } from './report.js';

/** Render `front` and write it to `path` (creating the folder), returning the HTML written. */
export function writeReport(path: string, front: FrontJson, opts: ReportOptions = {}): string {
  const html = renderReport(front, opts);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html, 'utf8');
  return html;
}
