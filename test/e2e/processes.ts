/**
 * Child processes for the end-to-end control plane: start with logs to a file, wait for
 * readiness by polling, stop by PID (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
}

export function startProcess(name: string, command: string, args: readonly string[], logPath: string, env: NodeJS.ProcessEnv = process.env): Started {
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return { name, child, logPath };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Polls `probe` until it returns true, the process dies, or the deadline passes. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, process?: Started): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process !== undefined && process.child.exitCode !== null) {
      throw new Error(`${process.name} exited with ${process.child.exitCode} while waiting for ${what}; see ${process.logPath}`);
    }
    if (await probe().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${process ? `; see ${process.logPath}` : ''}`);
}

export async function stopProcess(started: Started | undefined, graceMs = 30_000): Promise<void> {
  const child = started?.child;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    resolve();
  }));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
