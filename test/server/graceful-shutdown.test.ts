/**
 * Graceful shutdown (docs: SHUTDOWN_DELAY_SECONDS; reference §2.6). On SIGTERM the
 * webhook fails readiness and keeps answering for the drain delay, asking clients to
 * reconnect elsewhere (Connection: close); then it stops listening, finishes in-flight
 * reviews and exits 0. Every review that reached it must get a full answer: to the API
 * server a 503 or a reset is a webhook failure. SIGINT skips the delay.
 */
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makePki, removeTempDir, type Pki } from '../helpers/pki.js';
import { answerOf, eventually, killLeftoverWebhooks, RequestFailure, startWebhook, within, type FailureStage, type HttpResult, type LogLine, type Webhook } from '../helpers/webhook-process.js';
import { exampleReview } from './fixtures.js';

const CLIENTS = 16;
const DRAIN_MS = 1_000;
/** How long the clients keep sending after SIGTERM: through the drain and past the close. */
const SEND_AFTER_SIGTERM_MS = 1_500;
const WARM_UP_MS = 300;
const MAX_REQUESTS_PER_CLIENT = 5_000;
const HARD_STOP_MS = 15_000;
/** Allowance for reading the clock in two processes around one event. */
const CLOCK_SLACK_MS = 25;

interface Outcome {
  readonly client: number;
  readonly uid: string;
  readonly sentAt: number;
  readonly doneAt: number;
  readonly status?: number;
  /** The response was a complete AdmissionReview answering this uid. */
  readonly answered: boolean;
  readonly connection?: string;
  readonly reusedSocket?: boolean;
  readonly error?: string;
  /** How far a failed request got (see FailureStage). */
  readonly stage?: FailureStage;
}

interface Probe {
  readonly at: number;
  readonly doneAt: number;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

class Load {
  readonly outcomes: Outcome[] = [];
  readonly probes: Probe[] = [];
  private endAt = Date.now() + HARD_STOP_MS;

  constructor(private readonly webhook: Webhook) {}

  /** Every client has had an answer over a reused keep-alive socket, and readiness was seen ready. */
  warm(): boolean {
    const reusing = new Set(this.outcomes.filter((outcome) => outcome.answered && outcome.reusedSocket === true).map((outcome) => outcome.client));
    return reusing.size === CLIENTS && this.probes.some((probe) => probe.status === 200);
  }

  endAfter(ms: number): void {
    this.endAt = Math.min(this.endAt, Date.now() + ms);
  }

  private over(): boolean {
    return Date.now() >= this.endAt;
  }

  /** One keep-alive client (its own agent, one socket) sending reviews back to back. */
  async client(index: number): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let seq = 0; seq < MAX_REQUESTS_PER_CLIENT && !this.over(); seq++) {
        const outcome = await this.send(index, `load-${index}-${seq}`, agent);
        this.outcomes.push(outcome);
        // After the listener closed, connecting is refused at once: do not spin.
        if (outcome.error !== undefined) await sleep(10);
      }
    } finally {
      agent.destroy();
    }
  }

  private async send(client: number, uid: string, agent: Agent): Promise<Outcome> {
    const sentAt = Date.now();
    try {
      const result: HttpResult = await this.webhook.post(exampleReview(uid), { agent });
      return {
        client,
        uid,
        sentAt,
        doneAt: Date.now(),
        status: result.status,
        answered: isAnswer(result, uid),
        reusedSocket: result.reusedSocket,
        ...(result.headers.connection === undefined ? {} : { connection: result.headers.connection }),
      };
    } catch (error: unknown) {
      const failure = error instanceof RequestFailure ? error : new RequestFailure('request', error as Error);
      return { client, uid, sentAt, doneAt: Date.now(), answered: false, error: failure.code ?? failure.message, stage: failure.stage };
    }
  }

  /** Polls /readyz on fresh connections until the load ends. */
  async probeReadiness(): Promise<void> {
    for (let count = 0; count < 1_000 && !this.over(); count++) {
      const at = Date.now();
      try {
        const result = await this.webhook.get('/readyz');
        this.probes.push({ at, doneAt: Date.now(), status: result.status, body: result.body });
      } catch (error: unknown) {
        this.probes.push({ at, doneAt: Date.now(), error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
      }
      await sleep(50);
    }
  }
}

function isAnswer(result: HttpResult, uid: string): boolean {
  if (result.status !== 200) return false;
  try {
    const answer = answerOf(result);
    return answer.kind === 'AdmissionReview' && answer.response.uid === uid && !answer.response.allowed;
  } catch {
    return false;
  }
}

function findLog(webhook: Webhook, msg: string): LogLine {
  const line = webhook.logs.find((entry) => entry.msg.startsWith(msg));
  if (line === undefined) throw new Error(`no log line "${msg}"; output:\n${webhook.stdout()}`);
  return line;
}

/** The first few outcomes, with times in ms relative to the end of the drain delay. */
function brief(outcomes: readonly Outcome[], drainEnd: number): string {
  return outcomes
    .slice(0, 10)
    .map((outcome) => JSON.stringify({ ...outcome, sentAt: outcome.sentAt - drainEnd, doneAt: outcome.doneAt - drainEnd }))
    .join('\n');
}

afterAll(killLeftoverWebhooks);

describe('graceful shutdown', () => {
  let pki: Pki | undefined;
  let webhook: Webhook | undefined;

  afterEach(async () => {
    await killLeftoverWebhooks();
    await removeTempDir(pki?.dir);
    pki = undefined;
    webhook = undefined;
  });

  it('answers every review that reaches it during a SIGTERM drain under load, fails readiness, sends Connection: close, then exits 0', { timeout: 40_000 }, async () => {
    pki = await makePki();
    const server = await startWebhook({
      args: ['--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath],
      env: { SHUTDOWN_DELAY_SECONDS: String(DRAIN_MS / 1000) },
      ca: pki.ca.cert,
    });
    webhook = server;
    const load = new Load(server);
    const running = Promise.all([...Array.from({ length: CLIENTS }, (_, index) => load.client(index)), load.probeReadiness()]);

    await sleep(WARM_UP_MS);
    await eventually('every client to reuse a keep-alive connection', () => (load.warm() ? true : undefined), 10_000);
    const sigtermAt = Date.now();
    server.child.kill('SIGTERM');
    load.endAfter(SEND_AFTER_SIGTERM_MS);
    await running;
    const exit = await within(server.exited, HARD_STOP_MS);

    // The process: drain for the delay, then stop, exit 0.
    expect(exit, `the webhook did not exit; output:\n${server.stdout()}\n${server.stderr()}`).toEqual({ code: 0, signal: null });
    const shutdown = findLog(server, 'shutting down');
    expect(shutdown).toMatchObject({ signal: 'SIGTERM', drainMs: DRAIN_MS });
    const stopped = findLog(server, 'stopped');
    expect(stopped.time - shutdown.time).toBeGreaterThanOrEqual(DRAIN_MS);
    const drainStart = shutdown.time;
    const drainEnd = shutdown.time + DRAIN_MS;

    const { outcomes, probes } = load;
    const answered = outcomes.filter((outcome) => outcome.answered);
    // A request whose connection (TCP, or the TLS handshake) never got established never left the client, so it
    // never reached the server: fine once the listener has closed. Connections still in the kernel's accept queue
    // when the listener closes are reset, during the TCP connect or the TLS handshake.
    const unconnected = outcomes.filter((outcome) => !outcome.answered && (outcome.stage === 'connect' || outcome.stage === 'tls'));
    const refused = unconnected.filter((outcome) => outcome.error === 'ECONNREFUSED');
    const failures = outcomes.filter((outcome) => !outcome.answered && !unconnected.includes(outcome));
    const afterSigterm = outcomes.filter((outcome) => outcome.sentAt >= sigtermAt);
    const drained = answered.filter((outcome) => outcome.sentAt > drainStart + CLOCK_SLACK_MS && outcome.doneAt < drainEnd);
    console.info(
      `graceful shutdown: ${outcomes.length} reviews sent by ${CLIENTS} keep-alive clients, ${answered.length} answered ` +
        `(${afterSigterm.filter((o) => o.answered).length} sent after SIGTERM, ${drained.length} within the drain delay); ` +
        `never reached the server: ${refused.length} refused after the listener closed, ${unconnected.length - refused.length} reset in the accept queue as it closed; ` +
        `${failures.length} failed; ${probes.length} readiness probes`,
    );

    expect(failures, `reviews that reached the server but got no complete 200 AdmissionReview:\n${brief(failures, drainEnd)}`).toEqual([]);
    const failedDuringDrain = afterSigterm.filter((outcome) => !outcome.answered && outcome.doneAt < drainEnd - CLOCK_SLACK_MS);
    expect(failedDuringDrain, `failures while the drain delay ran:\n${brief(failedDuringDrain, drainEnd)}`).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.status === 503)).toEqual([]);
    const earlyUnconnected = unconnected.filter((outcome) => outcome.doneAt < drainEnd - CLOCK_SLACK_MS);
    expect(earlyUnconnected, `connections that failed before the listener closed:\n${brief(earlyUnconnected, drainEnd)}`).toEqual([]);
    // Every review the server decided on reached its client complete.
    const answeredUids = new Set(answered.map((outcome) => outcome.uid));
    const decidedUids = server.logs.filter((line) => line.msg === 'admission decision' && String(line.uid).startsWith('load-')).map((line) => String(line.uid));
    expect(decidedUids.filter((uid) => !answeredUids.has(uid)), 'reviews decided but not answered').toEqual([]);
    expect(decidedUids.length).toBe(answered.length);

    // Load really was keep-alive before SIGTERM and really continued through the drain.
    expect(answered.filter((outcome) => outcome.doneAt < sigtermAt && outcome.reusedSocket === true).length).toBeGreaterThan(CLIENTS);
    expect(drained.length).toBeGreaterThanOrEqual(CLIENTS);
    expect(new Set(drained.map((outcome) => outcome.client)).size).toBeGreaterThanOrEqual(CLIENTS / 2);
    // During the drain every answer asks the client to reconnect elsewhere.
    expect(drained.filter((outcome) => outcome.connection !== 'close'), 'drain responses without Connection: close').toEqual([]);
    // Answers received before SIGTERM was even sent keep the connection open.
    const beforeSigterm = answered.filter((outcome) => outcome.doneAt < sigtermAt);
    expect(beforeSigterm.filter((outcome) => outcome.connection === 'close'), 'Connection: close before SIGTERM').toEqual([]);

    // Readiness: ready before SIGTERM, 503 draining during the drain delay.
    const before = probes.filter((probe) => probe.doneAt < sigtermAt);
    expect(before.length).toBeGreaterThan(0);
    for (const probe of before) expect(probe).toMatchObject({ status: 200 });
    const drainingProbes = probes.filter((probe) => probe.at > drainStart + CLOCK_SLACK_MS && probe.doneAt < drainEnd);
    expect(drainingProbes.length).toBeGreaterThan(0);
    for (const probe of drainingProbes) expect(probe).toMatchObject({ status: 503, body: JSON.stringify({ status: 'draining' }) });
  });

  it('exits promptly on SIGINT, without the drain delay', async () => {
    pki = await makePki();
    webhook = await startWebhook({
      args: ['--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath],
      env: { SHUTDOWN_DELAY_SECONDS: '30' },
      ca: pki.ca.cert,
    });
    expect((await webhook.post(exampleReview())).status).toBe(200);
    const sentAt = Date.now();
    const code = await webhook.stop('SIGINT', 10_000);
    const elapsed = Date.now() - sentAt;
    expect(code).toBe(0);
    expect(findLog(webhook, 'shutting down')).toMatchObject({ signal: 'SIGINT', drainMs: 0 });
    findLog(webhook, 'stopped');
    // Far below the 30 s delay SIGTERM would wait; generous for a loaded CI machine.
    expect(elapsed).toBeLessThan(5_000);
  });
});
