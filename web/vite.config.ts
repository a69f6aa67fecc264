// The browser app: a static folder (relative paths, no server code) over the same src/ library as the CLI.
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
});
