import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// The union package registers every op's gradient with tfjs-core; the core ESM entry alone does not.
import '@tensorflow/tfjs';

export type BackendName = 'wasm' | 'cpu' | 'webgl' | 'webgpu' | 'tensorflow';

let ready: Promise<string> | null = null;

/**
 * Select the tfjs backend once: `wasm` by default, `cpu` if wasm cannot start.
 * float32 throughout: the model keeps counts in linear space and multiplies factors, which stays within
 * 1e-7 relative of the integers.
 */
export function initBackend(
  preferred: BackendName = ((globalThis as { process?: { env?: Record<string, string> } }).process?.env?.CODESIGN_BACKEND as BackendName) || 'wasm',
): Promise<string> {
  if (ready && tf.getBackend() === preferred) return ready;
  ready = (async () => {
    tf.env().set('PROD', true);
    for (const name of [preferred, 'cpu'] as const) {
      const restore = keepProcessListeners();
      try {
        if (await tf.setBackend(name)) {
          await tf.ready();
          return tf.getBackend();
        }
      } catch {
        // fall through to the next backend
      } finally {
        restore();
      }
    }
    throw new Error('no TensorFlow.js backend could start (tried ' + preferred + ', cpu)');
  })();
  return ready;
}

/**
 * The wasm backend's Emscripten glue installs process-wide handlers that rethrow every uncaught error (and print its
 * own minified source with it). Errors are ours to report, so the handlers it adds are removed again.
 */
function keepProcessListeners(): () => void {
  type Listener = (...args: unknown[]) => void;
  const proc = (globalThis as { process?: { listeners(e: string): Listener[]; removeListener(e: string, l: Listener): void } }).process;
  if (!proc?.listeners) return () => {};
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const before = events.map((e) => new Set(proc.listeners(e)));
  return () => {
    events.forEach((e, i) => {
      for (const l of proc.listeners(e)) if (!before[i]!.has(l)) proc.removeListener(e, l);
    });
  };
}

export { tf };
