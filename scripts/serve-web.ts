/**
 * `npm run web -- --port N`: build web/dist if it is missing or older than its sources, then serve it as static
 * files on 127.0.0.1 (the folder needs no server code; any static host serves it the same way).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DIST = join(ROOT, 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Build web/dist with Vite unless it is newer than web/ and src/. */
export function buildIfNeeded(): void {
  const index = join(DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(join(ROOT, 'web')), newest(join(ROOT, 'src')))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'error'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export function serve(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(DIST, path.endsWith('/') ? path + 'index.html' : path));
    if (!file.startsWith(DIST + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const raw = i >= 0 ? process.argv[i + 1] : '5173';
  const port = /^\d+$/.test(raw ?? '') ? Number(raw) : NaN;
  if (!(port >= 0 && port < 65536)) {
    process.stderr.write(`codesign web: --port: expected a port number 0-65535, got ${JSON.stringify(raw ?? null)}\n`);
    process.exit(2);
  }
  try {
    buildIfNeeded();
  } catch {
    process.stderr.write('codesign web: the build of web/ failed (see above)\n');
    process.exit(1);
  }
  serve(port).then(
    (s) => {
      const a = s.address();
      process.stdout.write(`serving web/dist on http://127.0.0.1:${typeof a === 'object' && a ? a.port : port}/\n`);
    },
    (e: Error) => {
      process.stderr.write(`codesign web: cannot listen on 127.0.0.1:${port}: ${e.message.split('\n')[0]}\n`);
      process.exit(2);
    },
  );
}
