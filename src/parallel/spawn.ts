/**
 * Node worker threads for this package's own worker modules, from the sources (under tsx) or the build. Under tsx the
 * thread registers tsx's loader before it loads the TypeScript module. Where worker threads or SharedArrayBuffer do not
 * exist (a browser page, a bundler without Node builtins) there are none.
 */

/** The part of Node's Worker the pools use. */
export interface NodeWorker {
  postMessage(m: unknown): void;
  on(ev: 'message', f: (m: never) => void): void;
  on(ev: 'error', f: (e: Error) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof SharedArrayBuffer === 'function';
}

/** A thread running the module `name` (without extension) of this folder. */
export async function spawnWorker(name: string): Promise<NodeWorker> {
  const { Worker } = await import('node:worker_threads');
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  // (the base in a variable: a bundler would otherwise take `new URL(..., import.meta.url)` for assets to emit; the
  // page never starts these threads)
  const url = new URL(`./${name}${ts ? '.ts' : '.js'}`, here);
  const w = ts
    ? new Worker(`import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(url.href)}))`, { eval: true })
    : new Worker(url);
  return w as unknown as NodeWorker;
}
