/**
 * Output folders (`--out`, `archs --export DIR`), checked and created before any work is done, so that a bad path
 * fails in one line at once instead of after the whole search.
 */
import { mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** Kernel file systems: they accept some writes and hang or fail on others, and never hold results. */
const VIRTUAL = ['/proc', '/sys', '/dev'];

const under = (p: string, root: string): boolean => p === root || p.startsWith(`${root}/`);

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/**
 * Make sure `dir` is a writable folder, creating it (and missing parents) if needed. Refuses an existing file, a path
 * through a file, a folder under /proc, /sys or /dev, and a folder that cannot be written, each with an InputError
 * naming `flag`. Returns `dir`.
 */
export function prepareOutputDir(dir: string, flag: string): string {
  const fail = (got: string): never => {
    throw new InputError(dir, flag, 'a folder to write to (created if missing)', got);
  };
  if (dir.trim() === '') fail('an empty path');
  const abs = resolve(dir);
  // the nearest existing ancestor, and the folders to create below it
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    let st;
    try {
      st = statSync(cur);
    } catch (e) {
      const c = code(e);
      if (c === 'ENOENT' && dirname(cur) !== cur) {
        missing.unshift(cur);
        cur = dirname(cur);
        continue;
      }
      if (c === 'ENOTDIR') return fail('a path through a file');
      if (c === 'EACCES') return fail('permission denied');
      return fail(c);
    }
    if (!st.isDirectory()) return fail(cur === abs ? 'an existing file' : `a path through the file ${cur}`);
    break;
  }
  let real: string;
  try {
    real = realpathSync(cur);
  } catch (e) {
    return fail(code(e));
  }
  if (VIRTUAL.some((v) => under(real, v) || under(cur, v))) fail(`a path under ${VIRTUAL.find((v) => under(real, v) || under(cur, v))}`);
  for (const m of missing) {
    try {
      mkdirSync(m); // one level at a time: recursive mkdir is what hangs on some kernel file systems
    } catch (e) {
      const c = code(e);
      if (c !== 'EEXIST') fail(c === 'EACCES' || c === 'EPERM' ? 'permission denied' : c === 'EROFS' ? 'a read-only file system' : c);
    }
  }
  const probe = join(abs, `.codesign-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    const c = code(e);
    fail(c === 'EACCES' || c === 'EPERM' ? 'a folder that cannot be written (permission denied)' : c === 'EROFS' ? 'a read-only file system' : c);
  }
  return dir;
}
