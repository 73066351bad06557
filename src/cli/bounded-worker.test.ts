import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { onBoundedWorker } from './bounded-worker.js';

async function script(body: string): Promise<URL> {
  const path = join(await mkdtemp(join(tmpdir(), 'kg-worker-')), 'job.mjs');
  await writeFile(path, `import { parentPort, workerData } from 'node:worker_threads';\n${body}\n`);
  return pathToFileURL(path);
}

const LIMITS = { oldGenerationMiB: 32, youngGenerationMiB: 4 };

describe('onBoundedWorker', () => {
  it('resolves with the result the worker posts', async () => {
    await expect(onBoundedWorker(await script('parentPort.postMessage({ result: workerData * 2 });'), 21, LIMITS)).resolves.toBe(42);
  });

  it('turns an error posted as data into a GuardrailsError with its code', async () => {
    const failing = onBoundedWorker(await script("parentPort.postMessage({ error: { code: 'KG_CLUSTER_UNREACHABLE', message: 'no API server' } });"), null, LIMITS);
    await expect(failing).rejects.toMatchObject({ code: 'KG_CLUSTER_UNREACHABLE', message: 'no API server' });
  });

  it('answers "out of memory" when the job needs more than its heap', async () => {
    const hungry = await script('const kept = []; for (;;) kept.push(new Array(100000).fill({ x: kept.length }));');
    await expect(onBoundedWorker(hungry, null, LIMITS)).resolves.toBe('out of memory');
  });

  it('rejects with KG_INTERNAL when the worker ends without a result', async () => {
    await expect(onBoundedWorker(await script('process.exit(3);'), null, LIMITS)).rejects.toMatchObject({ code: 'KG_INTERNAL', message: expect.stringContaining('exit 3') });
  });
});
