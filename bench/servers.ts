/** Starts the servers under test as separate processes, pinned to one core when taskset exists. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningServer {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Peak resident set size so far, in MiB (VmHWM). */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

export const SERVER_CPU = '0';
export const LOAD_CPU = '1';
export const CAN_PIN = spawnSync('taskset', ['-c', SERVER_CPU, 'true']).status === 0;

function launch(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const command = CAN_PIN ? 'taskset' : process.execPath;
  const fullArgs = CAN_PIN ? ['-c', SERVER_CPU, process.execPath, ...args] : [...args];
  return spawn(command, fullArgs, { stdio: ['ignore', 'pipe', 'inherit'], env });
}

function peakRss(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** The node process itself (taskset execs it, so the pid is the same). */
async function waitForAddress(child: ChildProcess, marker: string, onLine: (line: string) => void): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no "${marker}" line within 20 s`));
    }, 20_000);
    lines.on('line', (line) => {
      onLine(line);
      if (!line.includes(marker)) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { address: string }).address);
    });
    child.once('exit', (code) => {
      reject(new Error(`server exited with ${String(code)}`));
    });
  });
}

interface Launch {
  readonly args: readonly string[];
  readonly marker: string;
  readonly env: NodeJS.ProcessEnv;
  readonly onLine: (line: string) => void;
}

async function start(name: string, { args, marker, env, onLine }: Launch): Promise<RunningServer> {
  const child = launch(args, env);
  const address = await waitForAddress(child, marker, onLine);
  return {
    name,
    url: `${address}/validate`,
    child,
    peakRssMiB: () => peakRss(child.pid),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        // SIGINT: kube-guardrails closes at once (no drain delay); bare Node just exits.
        child.kill('SIGINT');
      }),
  };
}

export interface Tls {
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * kube-guardrails as deployed: `serve`, logging at info (one line per decision, to a
 * pipe). Without a cluster view unless `env` gives it one, whatever kubeconfig the machine has.
 */
export function startWebhook(root: string, tls: Tls, logLines: { count: number }, env: NodeJS.ProcessEnv = { CLUSTER_VIEW: 'off' }): Promise<RunningServer> {
  const args = [join(root, 'dist', 'main.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--tls-cert', tls.certPath, '--tls-key', tls.keyPath];
  const onLine = (): void => {
    logLines.count++;
  };
  return start('kube-guardrails', { args, marker: 'kube-guardrails webhook ready', env: { ...process.env, LOG_LEVEL: 'info', ...env }, onLine });
}

export function startCeiling(root: string, tls: Tls): Promise<RunningServer> {
  const args = [join(root, 'dist-bench', 'bench', 'ceiling-server.js'), tls.certPath, tls.keyPath];
  return start('bare Fastify', { args, marker: 'ceiling ready', env: process.env, onLine: () => undefined });
}
