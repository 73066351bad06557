/**
 * `check` beside kube-linter on the same corpus, interleaved in one run (ours, theirs,
 * ours, theirs…), as users run them: JSON output, every core. Wall time and peak RSS of
 * each run come from GNU time. kube-linter is built outside the repository (README,
 * "Measuring against kube-linter") and found at $KUBE_LINTER or
 * ~/.cache/kg-peers/kube-linter; without it, only our figures are printed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { writeCorpus, type CorpusSummary } from './manifest-corpus.js';

export interface RunFigure {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number;
}

export interface PeerComparison {
  readonly corpus: CorpusSummary;
  readonly ours: RunFigure;
  readonly kubeLinter?: RunFigure;
  /** Our best wall time over kube-linter's. */
  readonly ratio?: number;
  readonly rounds: number;
}

const TIME = '/usr/bin/time';

export function kubeLinterPath(): string | undefined {
  const path = process.env.KUBE_LINTER ?? join(homedir(), '.cache', 'kg-peers', 'kube-linter');
  return existsSync(path) ? path : undefined;
}

/**
 * One run under GNU time (`%e %M`). The bench pins itself to one core; the run is
 * given every core back, as a user's shell would give it.
 */
function timed(command: string, args: readonly string[]): Promise<RunFigure> {
  const allCores = ['taskset', '-a', '-c', `0-${availableParallelism() - 1}`];
  const argv = [...(existsSync('/usr/bin/taskset') ? allCores : []), TIME, '-f', 'kg-bench %e %M', command, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] ?? TIME, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const match = /kg-bench ([\d.]+) (\d+)/.exec(stderr);
      if (match === null) {
        reject(new Error(`no timing from ${command}: ${stderr.slice(-300)}`));
        return;
      }
      resolve({ wallSeconds: Number(match[1]), peakRssMiB: Number(match[2]) / 1024, exitCode: code ?? -1 });
    });
  });
}

function best(runs: readonly RunFigure[]): RunFigure {
  const fastest = runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  return { ...fastest, peakRssMiB: Math.max(...runs.map((run) => run.peakRssMiB)) };
}

/** `rounds` interleaved runs of each on a corpus of `objects` objects in `files` files; best wall time, highest RSS. */
export async function compareWithKubeLinter(root: string, directory: string, size: { readonly objects: number; readonly files: number; readonly rounds: number }): Promise<PeerComparison> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed to measure peak memory (Debian package "time")`);
  const { objects, files, rounds } = size;
  const corpus = await writeCorpus(directory, objects, files);
  const peer = kubeLinterPath();
  const ours: RunFigure[] = [];
  const theirs: RunFigure[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(await timed(process.execPath, [join(root, 'dist', 'main.js'), 'check', '-o', 'json', directory]));
    if (peer !== undefined) theirs.push(await timed(peer, ['lint', '--format', 'json', directory]));
  }
  const oursBest = best(ours);
  if (theirs.length === 0) return { corpus, ours: oursBest, rounds };
  const kubeLinter = best(theirs);
  return { corpus, ours: oursBest, kubeLinter, ratio: oursBest.wallSeconds / kubeLinter.wallSeconds, rounds };
}
