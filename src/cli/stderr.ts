/** The CLI's messages on stderr: `codesign: <message>`, always one line (control characters shown escaped). */
import { oneLine } from '../errors.js';

export function printError(message: string): void {
  process.stderr.write(`codesign: ${oneLine(message)}\n`);
}

export function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) printError(`warning: ${w}`);
}
