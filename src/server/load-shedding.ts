/**
 * Load shedding for POST /validate, decided when the headers arrive and before the body
 * is read or parsed, so that refusing costs next to nothing:
 *
 * - **Lag.** Reviews judged on the event loop wait for each other, and under a burst the
 *   wait happens before a request is even read (in socket buffers), where no queue can
 *   be counted. What shows it is the loop's lag. While the lag stays above `targetLagMs`
 *   the share of new reviews refused rises, and it falls again once the lag is back
 *   under half of it: refused reviews get 429 KG_OVERLOADED with `Retry-After` (which
 *   kube-apiserver's webhook client honours by retrying the call, same body, until its
 *   timeoutSeconds runs out), so that the rest are judged in time and the core keeps
 *   judging instead of answering late. A refusal costs a small fraction of a judgement:
 *   the body is never parsed.
 * - **Body bytes.** Bodies still arriving are held in memory: past `maxBodyBytesInFlight`
 *   (declared Content-Length, or the body limit when none is declared) new reviews are
 *   refused the same way, so stalled or huge uploads cannot exhaust the heap.
 * - **Deadlines.** `?timeout=Ns` (which the API server appends) sets when the caller
 *   gives up; a review whose deadline passes before it is judged, or whose connection
 *   has closed, is dropped unjudged (503 KG_DEADLINE_PASSED, which no one is left to read).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GuardrailsError } from '../errors.js';
import type { Metrics } from './metrics.js';

export interface SheddingSettings {
  /** The event-loop lag above which a rising share of new reviews is refused. */
  readonly targetLagMs: number;
  /** Refuse new reviews while bodies of this many bytes are still arriving or queued. */
  readonly maxBodyBytesInFlight: number;
  /** The body limit, charged for a body that declares no length. */
  readonly bodyLimitBytes: number;
  /** Seconds the API server is told to wait before it retries a shed review. */
  readonly retryAfterSeconds: number;
  /** The deadline assumed when the caller sends no `?timeout=`. */
  readonly defaultTimeoutMs: number;
}

const SAMPLE_MS = 10;
/** How fast the refused share follows the lag: up quickly under a burst, down gently after it. */
const RISE = 0.05;
const FALL = 0.02;
const MAX_SHARE = 0.98;

/**
 * The share of new reviews to refuse, steered by event-loop lag: a timer notes how late
 * it fires every SAMPLE_MS; the share rises while the lag is over target and falls
 * while it is under half of it. The timer is unref'd: it never keeps the process alive.
 */
export class LagController {
  private share = 0;
  private expected = performance.now() + SAMPLE_MS;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly targetLagMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.timer = setInterval(() => {
      this.sample();
    }, SAMPLE_MS);
    this.timer.unref();
  }

  /** Whether to refuse the review arriving now. */
  shouldRefuse(): boolean {
    return this.share > 0 && this.random() < this.share;
  }

  refusedShare(): number {
    return this.share;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.now();
    const lag = Math.max(0, now - this.expected);
    this.expected = now + SAMPLE_MS;
    if (lag > this.targetLagMs) this.share = Math.min(MAX_SHARE, this.share + RISE);
    else if (lag < this.targetLagMs / 2) this.share = Math.max(0, this.share - FALL);
  }
}

const TIMEOUT = /[?&]timeout=(\d+(?:\.\d+)?)(ms|s|m)?(?:&|$)/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** The deadline in `?timeout=5s` (Go duration text as client-go writes it), or undefined. */
export function timeoutFromUrl(url: string): number | undefined {
  const match = TIMEOUT.exec(url);
  if (match === null) return undefined;
  const value = Number(match[1]);
  const unit = UNIT_MS[match[2] ?? 's'] ?? 1000;
  return Number.isFinite(value) && value > 0 ? value * unit : undefined;
}

interface Admitted {
  readonly deadlineAt: number;
  readonly chargedBytes: number;
  readonly signal: AbortSignal;
  /** Stops watching the socket: a keep-alive socket outlives many requests. */
  readonly unwatch: () => void;
  /** Whether its bytes have been given back. */
  released: boolean;
}

const admitted = new WeakMap<FastifyRequest, Admitted>();

/** What the route needs to honour the caller: its deadline and whether it has gone. */
export function callerOf(request: FastifyRequest): { readonly deadlineAt: number; readonly signal: AbortSignal } | undefined {
  return admitted.get(request);
}

/** Throws KG_DEADLINE_PASSED when the caller of `request` has gone or given up. */
export function assertCallerWaiting(request: FastifyRequest): void {
  const caller = admitted.get(request);
  if (caller === undefined) return;
  if (caller.signal.aborted) throw new GuardrailsError('KG_DEADLINE_PASSED', 'the caller closed the connection before the review was judged');
  if (Date.now() >= caller.deadlineAt) throw new GuardrailsError('KG_DEADLINE_PASSED', 'the caller’s deadline passed before the review could be judged');
}

function declaredBytes(request: FastifyRequest, bodyLimit: number): number {
  const declared = Number(request.headers['content-length']);
  return Number.isFinite(declared) && declared >= 0 ? Math.min(declared, bodyLimit) : bodyLimit;
}

/** A signal that fires when the request's socket closes (the caller gave up), and how to stop watching. */
function watchSocket(request: FastifyRequest, onClose: () => void): { signal: AbortSignal; unwatch: () => void } {
  const controller = new AbortController();
  const socket = request.raw.socket;
  const closed = (): void => {
    controller.abort();
    onClose();
  };
  if (socket.destroyed) {
    controller.abort();
    return { signal: controller.signal, unwatch: () => undefined };
  }
  socket.once('close', closed);
  return { signal: controller.signal, unwatch: () => socket.off('close', closed) };
}

function refuse(reply: FastifyReply, settings: SheddingSettings, message: string): void {
  void reply.code(429).header('retry-after', String(settings.retryAfterSeconds)).send({ code: 'KG_OVERLOADED', message });
}

export function installLoadShedding(app: FastifyInstance, settings: SheddingSettings, lag: { shouldRefuse(): boolean }, metrics: Metrics): void {
  let bytesInFlight = 0;
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'POST' || !request.url.startsWith('/validate')) {
      done();
      return;
    }
    if (lag.shouldRefuse()) {
      metrics.shed.inc({ reason: 'lag' });
      refuse(reply, settings, 'the webhook has more reviews than it can judge in time; retry shortly');
      return;
    }
    const bytes = declaredBytes(request, settings.bodyLimitBytes);
    if (bytesInFlight > 0 && bytesInFlight + bytes > settings.maxBodyBytesInFlight) {
      metrics.shed.inc({ reason: 'body_bytes' });
      refuse(reply, settings, 'the webhook holds as many request bodies as it allows; retry shortly');
      return;
    }
    bytesInFlight += bytes;
    const timeoutMs = timeoutFromUrl(request.url) ?? settings.defaultTimeoutMs;
    const watch = watchSocket(request, () => {
      release(request);
    });
    admitted.set(request, { deadlineAt: Date.now() + timeoutMs, chargedBytes: bytes, ...watch, released: false });
    done();
  });
  // Released once, by whichever comes first: the answer sent, the request aborted, or its socket closed.
  const release = (request: FastifyRequest): void => {
    const entry = admitted.get(request);
    if (entry === undefined || entry.released) return;
    entry.released = true;
    entry.unwatch();
    bytesInFlight -= entry.chargedBytes;
  };
  app.addHook('onResponse', (request, _reply, done) => {
    release(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    release(request);
    done();
  });
}
