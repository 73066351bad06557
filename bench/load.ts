/**
 * Two ways to load a server: closed loop with autocannon at fixed concurrency (throughput),
 * and an open-loop generator at a fixed rate (latency at a given load, with queueing
 * measured from each request's scheduled send time, so slow answers are not hidden).
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:https';

export interface ClosedLoopResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly total: number;
}

export interface ClosedLoopOptions {
  readonly url: string;
  readonly bodies: readonly string[];
  readonly connections: number;
  readonly durationSeconds: number;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    tlsOptions: { rejectUnauthorized: false },
    requests: [
      {
        setupRequest: (req) => ({ ...req, body: options.bodies[next++ % options.bodies.length] ?? '' }),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    p999Ms: result.latency.p99_9,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export interface OpenLoopResult {
  readonly rate: number;
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function send(url: URL, agent: Agent, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode === 200);
      });
    });
    req.on('error', () => {
      resolve(false);
    });
    req.end(body);
  });
}

/** Sends `rate` requests per second for `durationSeconds`, each at its scheduled instant. */
export async function openLoop(url: string, bodies: readonly string[], rate: number, durationSeconds: number): Promise<OpenLoopResult> {
  // Enough sockets that the client never queues: the API server opens up to 25 per host and more on bursts.
  const agent = new Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 120_000 });
  // A warm-up at the same rate opens the TLS connections first, as a running API server has them.
  await schedule({ url, bodies, rate, agent }, 2);
  const result = await schedule({ url, bodies, rate, agent }, durationSeconds);
  agent.destroy();
  return result;
}

interface Schedule {
  readonly url: string;
  readonly bodies: readonly string[];
  readonly rate: number;
  readonly agent: Agent;
}

async function schedule({ url, bodies, rate, agent }: Schedule, durationSeconds: number): Promise<OpenLoopResult> {
  const target = new URL(url);
  const total = rate * durationSeconds;
  const intervalNs = 1e9 / rate;
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i++) {
    const scheduled = start + BigInt(Math.round(i * intervalNs));
    while (process.hrtime.bigint() < scheduled) await new Promise<void>((resolve) => setImmediate(resolve));
    const body = bodies[i % bodies.length] ?? '';
    inFlight.push(
      send(target, agent, body).then((ok) => {
        if (!ok) errors++;
        latencies.push(Number(process.hrtime.bigint() - scheduled) / 1e6);
      }),
    );
  }
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  return {
    rate,
    sent: total,
    completed: latencies.length,
    errors,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    p999Ms: percentile(latencies, 99.9),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
  };
}
