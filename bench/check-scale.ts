/** `check` over 10,000 objects in 100 files, run as a user runs it: wall time and peak memory. */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Random } from './random.js';
import { networkPolicy, pod, type Outcome } from './reviews.js';

export interface CheckScaleResult {
  readonly objects: number;
  readonly files: number;
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number;
}

const OUTCOMES: readonly Outcome[] = ['allowed', 'allowed', 'allowed', 'warned', 'denied'];

type Json = Record<string, unknown>;

/** As kept in a repository: no server-side fields, and pods as Deployment templates. */
function asManifest(object: Json): Json {
  const { name, namespace, labels } = object.metadata as Json;
  const metadata = { name, namespace, labels };
  if (object.kind !== 'Pod') return { ...object, metadata };
  const serverDefaulted = new Set(['restartPolicy', 'dnsPolicy', 'schedulerName', 'tolerations', 'priority', 'enableServiceLinks', 'preemptionPolicy', 'serviceAccountName']);
  const spec = Object.fromEntries(Object.entries(object.spec as Json).filter(([key]) => !serverDefaulted.has(key)));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: { replicas: 3, selector: { matchLabels: { app: (labels as Json).app } }, template: { metadata: { labels }, spec } },
  };
}

export async function writeManifests(directory: string, files: number, perFile: number): Promise<void> {
  const random = new Random(11);
  await mkdir(directory, { recursive: true });
  for (let f = 0; f < files; f++) {
    const documents = Array.from({ length: perFile }, (_, i) => {
      const index = f * perFile + i;
      const outcome = OUTCOMES[index % OUTCOMES.length] ?? 'allowed';
      const object = index % 2 === 0 ? networkPolicy(random, outcome, random.int(1, 6), index) : pod(random, outcome, index);
      return stringify(asManifest(object));
    });
    await writeFile(join(directory, `manifests-${String(f).padStart(3, '0')}.yaml`), documents.join('---\n'));
  }
}

export async function checkScale(root: string, directory: string, files = 100, perFile = 100): Promise<CheckScaleResult> {
  await writeManifests(directory, files, perFile);
  const args = ['--import', join(root, 'dist-bench', 'bench', 'report-rss.js'), join(root, 'dist', 'main.js'), 'check', '-o', 'json', directory];
  const start = process.hrtime.bigint();
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (exit) => {
      resolve({ code: exit ?? -1, stderr: text });
    });
  });
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rss = /maxRSS_KiB=(\d+)/.exec(stderr);
  return { objects: files * perFile, files, wallSeconds, peakRssMiB: rss ? Number(rss[1]) / 1024 : Number.NaN, exitCode: code };
}
