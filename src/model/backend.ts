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
      try {
        if (await tf.setBackend(name)) {
          await tf.ready();
          return tf.getBackend();
        }
      } catch {
        // fall through to the next backend
      }
    }
    throw new Error('no TensorFlow.js backend could start (tried ' + preferred + ', cpu)');
  })();
  return ready;
}

export { tf };
