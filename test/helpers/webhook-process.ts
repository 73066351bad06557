/**
 * Runs the webhook the way a user does: the built command `node dist/main.js serve ...`
 * (no shell), on 127.0.0.1 and a port the kernel picks, and talks HTTPS to it. `npm test`
 * builds dist/ before vitest runs; run `npm run build` first when running these alone.
 *
 * Every process started here is remembered until it exits; call `killLeftoverWebhooks()`
 * in afterEach/afterAll so that a failed test never leaves a server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';
import { request, type Agent } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import type { Socket } from 'node:net';
import { TLSSocket, type PeerCertificate, type SecureVersion } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = join(ROOT, 'dist', 'main.js');
export const READY_MESSAGE = 'kube-guardrails webhook ready';
export const HOST = '127.0.0.1';

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** One pino line as the server wrote it. */
export interface LogLine {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface StartOptions {
  /** Arguments after `serve`; `--port 0 --host 127.0.0.1` are added unless given. */
  readonly args?: readonly string[];
  /** Added to the environment; undefined removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The CA that requests trust by default (a request may override it). */
  readonly ca?: string;
  readonly readyTimeoutMs?: number;
}

export interface RequestOptions {
  /** An agent to reuse connections with; by default every request opens its own (agent: false). */
  readonly agent?: Agent | false;
  /** CA to verify the server with; defaults to the one given to startWebhook. */
  readonly ca?: string;
  /** Client certificate and key (for --client-ca). */
  readonly cert?: string;
  readonly key?: string;
  /** True unless set: the server certificate must verify for 127.0.0.1. */
  readonly rejectUnauthorized?: boolean;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  /** OpenSSL cipher list, e.g. 'DEFAULT@SECLEVEL=0' to let the client offer old protocols. */
  readonly ciphers?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether the request went out on a kept-alive socket of the agent. */
  readonly reusedSocket: boolean;
  /** The server certificate the connection carries. */
  readonly peerCertificate: PeerCertificate;
  /** The negotiated TLS version, e.g. 'TLSv1.3'. */
  readonly protocol: string | null;
  /** Local port of the connection; equal ports mean the same socket. */
  readonly localPort: number | undefined;
}

export interface ExitResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Webhook {
  readonly child: ChildProcess;
  readonly port: number;
  /** The address from the ready line, e.g. https://127.0.0.1:40123. */
  readonly address: string;
  /** Every JSON line on stdout so far (lines that are not JSON land in `stdout()` only). */
  readonly logs: LogLine[];
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited and its output has been read. */
  readonly exited: Promise<ExitResult>;
  post(review: unknown, options?: RequestOptions): Promise<HttpResult>;
  get(path: string, options?: RequestOptions): Promise<HttpResult>;
  /** Value of one sample of /metrics, or undefined when the series is absent. */
  metric(name: string, labels?: Readonly<Record<string, string>>, options?: RequestOptions): Promise<number | undefined>;
  /** Polls the log for a line that matches. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends the signal and resolves with the exit code (null if a signal ended it). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** The promise's value, or undefined once ms have passed (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((done) => {
    timer = setTimeout(() => {
      done(undefined);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every webhook process still running and waits for it to go. */
export async function killLeftoverWebhooks(): Promise<void> {
  const leftovers = [...running];
  await Promise.all(
    leftovers.map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((done) => child.once('exit', done));
        child.kill('SIGKILL');
        await within(gone, 5_000);
      }
      running.delete(child);
    }),
  );
}

/** Polls `check` with small sleeps until it returns something other than undefined. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; attempt < 100_000; attempt++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error: unknown) {
      lastError = error;
    }
    if (Date.now() > deadline) break;
    await sleep(intervalMs);
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

/** The server's knobs (src/config.ts) start from their defaults whatever the runner's environment holds. */
const KNOBS: Readonly<Record<string, string | undefined>> = {
  LOG_LEVEL: 'info',
  LOG_BODIES: undefined,
  SHUTDOWN_DELAY_SECONDS: undefined,
  REQUEST_TIMEOUT_MS: undefined,
  WATCH_INTERVAL_MS: undefined,
};

function childEnv(overrides: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const merged = new Map<string, string | undefined>([...Object.entries(process.env), ...Object.entries(KNOBS), ...Object.entries(overrides)]);
  return Object.fromEntries([...merged].filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function withListenDefaults(args: readonly string[]): string[] {
  return [...args, ...(args.includes('--port') ? [] : ['--port', '0']), ...(args.includes('--host') ? [] : ['--host', HOST])];
}

/** Starts `node dist/main.js serve ...args` in ROOT without a shell. */
export function spawnServe(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ChildProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the server tests`);
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A failed spawn is reported through `exited` (code null) instead of crashing the runner.
  child.on('error', (error) => child.stderr.emit('data', `spawn failed: ${error.message}\n`));
  return child;
}

export interface Collected {
  readonly logs: LogLine[];
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<ExitResult>;
}

function parseLine(text: string): LogLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && 'msg' in value ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}

/** Collects stdout (split into JSON lines) and stderr of a child. */
export function collect(child: ChildProcess, onLine: (line: LogLine) => void = () => undefined): Collected {
  const logs: LogLine[] = [];
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) {
      const line = parseLine(text);
      if (line === undefined) continue;
      logs.push(line);
      onLine(line);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ExitResult>((done) => {
    child.once('close', (code, signal) => {
      const last = parseLine(pending);
      if (last !== undefined) logs.push(last);
      done({ code, signal });
    });
  });
  return { logs, stdout: () => stdout, stderr: () => stderr, exited };
}

function describeOutput(collected: Collected): string {
  return `\n--- stdout ---\n${collected.stdout()}\n--- stderr ---\n${collected.stderr()}`;
}

function waitForReady(child: ChildProcess, timeoutMs: number): { collected: Collected; ready: Promise<string> } {
  let onReady: (address: string) => void = () => undefined;
  const collected = collect(child, (line) => {
    if (line.msg === READY_MESSAGE && typeof line.address === 'string') onReady(line.address);
  });
  const ready = new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the webhook was not ready within ${timeoutMs} ms${describeOutput(collected)}`));
    }, timeoutMs);
    onReady = (address) => {
      clearTimeout(timer);
      resolveReady(address);
    };
    void collected.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the webhook exited (code ${code}, signal ${signal}) before it was ready${describeOutput(collected)}`));
    });
  });
  return { collected, ready };
}

/** Starts the webhook and resolves once it logged that it is ready. */
export async function startWebhook(options: StartOptions = {}): Promise<Webhook> {
  const child = spawnServe(withListenDefaults(options.args ?? []), options.env ?? {});
  const { collected, ready } = waitForReady(child, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
  const address = await ready;
  const port = Number(new URL(address).port);
  const defaults: RequestOptions = options.ca === undefined ? {} : { ca: options.ca };
  const call = (method: string, path: string, body: string | undefined, requestOptions: RequestOptions = {}): Promise<HttpResult> =>
    httpsRequest(port, method, path, body, { ...defaults, ...requestOptions });
  const webhook: Webhook = {
    child,
    port,
    address,
    logs: collected.logs,
    stdout: collected.stdout,
    stderr: collected.stderr,
    exited: collected.exited,
    post: (review, requestOptions) => call('POST', '/validate?timeout=5s', JSON.stringify(review), requestOptions),
    get: (path, requestOptions) => call('GET', path, undefined, requestOptions),
    metric: async (name, labels = {}, requestOptions) => metricValue((await call('GET', '/metrics', undefined, requestOptions)).body, name, labels),
    waitForLog: (predicate, timeoutMs = 10_000) => eventually('a matching log line', () => collected.logs.find(predicate), timeoutMs),
    stop: async (signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await within(collected.exited, timeoutMs);
      if (result === undefined) {
        child.kill('SIGKILL');
        throw new Error(`the webhook did not exit within ${timeoutMs} ms of ${signal}${describeOutput(collected)}`);
      }
      return result.code;
    },
  };
  return webhook;
}

/** Runs `serve` to its exit (for start-up failures) and collects its output. */
export async function runServeToExit(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, timeoutMs = READY_TIMEOUT_MS): Promise<ExitResult & { stdout: string; stderr: string }> {
  const child = spawnServe(withListenDefaults(args), env);
  const collected = collect(child);
  const result = await within(collected.exited, timeoutMs);
  if (result === undefined) {
    child.kill('SIGKILL');
    throw new Error(`serve did not exit within ${timeoutMs} ms${describeOutput(collected)}`);
  }
  return { ...result, stdout: collected.stdout(), stderr: collected.stderr() };
}

function tlsOptions(options: RequestOptions): Record<string, unknown> {
  const optional = { ca: options.ca, cert: options.cert, key: options.key, minVersion: options.minVersion, maxVersion: options.maxVersion, ciphers: options.ciphers };
  return Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined));
}

/**
 * How far a failed request got: `connect` – the TCP connection never became established
 * at the client, so no byte of the request left it (refused, or reset while still in the
 * server's accept queue); `tls` – connected, TLS handshake not finished; `request` – the
 * request went out (or was being written) and no response came; `response` – the
 * response started but did not complete.
 */
export type FailureStage = 'connect' | 'tls' | 'request' | 'response';

export class RequestFailure extends Error {
  readonly code: string | undefined;

  constructor(
    readonly stage: FailureStage,
    cause: Error,
  ) {
    super(cause.message, { cause });
    this.name = 'RequestFailure';
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

/** Follows a request's socket through TCP connect and the TLS handshake. */
function trackStage(req: ClientRequest): () => FailureStage {
  let stage: FailureStage = 'connect';
  req.once('socket', (socket: Socket) => {
    if (!socket.connecting) {
      stage = 'request';
      return;
    }
    socket.once('connect', () => {
      if (stage === 'connect') stage = 'tls';
    });
    socket.once('secureConnect', () => {
      if (stage === 'connect' || stage === 'tls') stage = 'request';
    });
  });
  req.once('response', () => (stage = 'response'));
  return () => stage;
}

/** One HTTPS request to 127.0.0.1:port; rejects with a RequestFailure on any transport error or timeout. */
export function httpsRequest(port: number, method: string, path: string, body: string | undefined, options: RequestOptions = {}): Promise<HttpResult> {
  return new Promise<HttpResult>((resolveResult, reject) => {
    const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), ...options.headers };
    const req = request(
      {
        host: HOST,
        port,
        method,
        path,
        headers,
        agent: options.agent ?? false,
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        ...tlsOptions(options),
        timeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const socket = res.socket;
        if (!(socket instanceof TLSSocket)) {
          reject(new RequestFailure('response', new Error('the response did not come over TLS')));
          return;
        }
        const peerCertificate = socket.getPeerCertificate();
        const protocol = socket.getProtocol();
        const localPort = socket.localPort;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', (error) => {
          reject(new RequestFailure('response', error));
        });
        res.on('end', () => {
          if (!res.complete) {
            reject(new RequestFailure('response', new Error('the response ended before it was complete')));
            return;
          }
          resolveResult({ status: res.statusCode ?? 0, headers: res.headers, body: text, reusedSocket: req.reusedSocket, peerCertificate, protocol, localPort });
        });
      },
    );
    const stage = trackStage(req);
    req.on('timeout', () => req.destroy(new Error(`no response within ${options.timeoutMs ?? REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => {
      reject(new RequestFailure(stage(), error));
    });
    req.end(body);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The value of the sample `name{labels...}` in Prometheus text (labels matched as a subset). */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const pattern = new RegExp(`^${escapeRegExp(name)}(?:\\{([^}]*)\\})? (\\S+)$`);
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match === null) continue;
    const present = new Map([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[2]);
  }
  return undefined;
}

/** The AdmissionReview answer in a response body. */
export interface ReviewAnswer {
  readonly apiVersion: string;
  readonly kind: string;
  readonly response: {
    readonly uid: string;
    readonly allowed: boolean;
    readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
    readonly warnings?: readonly string[];
    readonly auditAnnotations?: Readonly<Record<string, string>>;
  };
}

export function answerOf(result: HttpResult): ReviewAnswer {
  return JSON.parse(result.body) as ReviewAnswer;
}
