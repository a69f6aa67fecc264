import { main } from '../../src/cli/main.js';

/**
 * Run the CLI in-process and capture its string writes to stdout and stderr. The test reporter may write Buffers
 * meanwhile, and those pass through.
 */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const grab = (stream: NodeJS.WriteStream, into: string[]) => {
    const orig = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') {
        into.push(chunk);
        return true;
      }
      return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = orig;
    };
  };
  const restoreOut = grab(process.stdout, out);
  const restoreErr = grab(process.stderr, err);
  let code: number;
  try {
    code = await main(args);
  } finally {
    restoreOut();
    restoreErr();
    process.exitCode = undefined;
  }
  return { code, out: out.join(''), err: err.join('') };
}
