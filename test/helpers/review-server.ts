/**
 * The webhook as the tests drive it: buildServer with a real logger writing JSON lines
 * into memory, its own metrics registry, a settable lifecycle state and a fixed clock.
 * Nothing listens; requests go through Fastify's inject().
 */
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AdmissionReviewResponse } from '../../src/admission/response.js';
import { NO_VIEW } from '../../src/engine/evaluate.js';
import { createLogger } from '../../src/logger.js';
import { defaultPolicy, type Policy } from '../../src/policy/policy.js';
import { RULES } from '../../src/rules/index.js';
import type { ClusterView } from '../../src/rules/types.js';
import { buildServer } from '../../src/server/build-server.js';
import { SERVER_DEFAULTS, type LifecycleState, type ServerSettings } from '../../src/server/deps.js';
import { createMetrics, type Metrics } from '../../src/server/metrics.js';
import { sameThreadJudge, type LargeReviewJudge } from '../../src/server/review-pool.js';

export const NOW = Date.parse('2026-06-01T12:00:00Z');

/** The path the API server posts to: it appends the webhook's timeoutSeconds. */
export const VALIDATE_URL = '/validate?timeout=5s';

export type LogLine = Record<string, unknown> & { readonly level: number; readonly msg: string };

export interface ReviewServerOptions {
  readonly policy?: Policy;
  readonly view?: ClusterView;
  readonly viewStaleness?: () => string | undefined;
  readonly logBodies?: boolean;
  readonly state?: LifecycleState;
  readonly settings?: Partial<ServerSettings>;
  readonly largeReviews?: LargeReviewJudge;
  readonly lag?: { shouldRefuse(): boolean };
}

export interface ReviewServer {
  readonly app: FastifyInstance;
  readonly metrics: Metrics;
  /** Every log line written so far, parsed. */
  readonly logs: () => LogLine[];
  /** The raw log text written so far. */
  readonly logText: () => string;
  readonly setState: (state: LifecycleState) => void;
  /** POSTs `review` as JSON to /validate?timeout=5s. */
  readonly post: (review: unknown) => Promise<LightMyRequestResponse>;
  /** POSTs `review` and returns the AdmissionReview answer (asserting HTTP 200). */
  readonly validate: (review: unknown) => Promise<AdmissionReviewResponse>;
  readonly metricsText: () => Promise<string>;
  readonly close: () => Promise<void>;
}

export const LOG_LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function reviewServer(options: ReviewServerOptions = {}): ReviewServer {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  let state: LifecycleState = options.state ?? 'ready';
  const metrics = createMetrics({ defaultMetrics: false });
  const policy = options.policy ?? defaultPolicy(RULES);
  const app = buildServer(
    {
      rules: RULES,
      logger: createLogger({ level: 'debug', destination }),
      metrics,
      policy: () => policy,
      view: options.view ?? NO_VIEW,
      viewStaleness: options.viewStaleness ?? (() => undefined),
      now: () => NOW,
      lifecycle: { state: () => state },
      logBodies: options.logBodies ?? false,
      largeReviews: options.largeReviews ?? sameThreadJudge(RULES),
      lag: options.lag ?? { shouldRefuse: () => false },
    },
    { ...SERVER_DEFAULTS, ...options.settings },
  );
  const logText = (): string => chunks.join('');
  const post = (review: unknown): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'POST', url: VALIDATE_URL, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(review) });
  return {
    app,
    metrics,
    logText,
    logs: () =>
      logText()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as LogLine),
    setState: (next) => {
      state = next;
    },
    post,
    validate: async (review) => {
      const response = await post(review);
      if (response.statusCode !== 200) throw new Error(`expected HTTP 200 from /validate, got ${response.statusCode}: ${response.body}`);
      return response.json<AdmissionReviewResponse>();
    },
    metricsText: async () => (await app.inject({ method: 'GET', url: '/metrics' })).body,
    close: () => app.close(),
  };
}

/** Lines of `text` in Prometheus exposition format for `name` whose labels include every pair of `labels`. */
export function sampleValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((candidate) => {
    if (!candidate.startsWith(`${name}{`) && !candidate.startsWith(`${name} `)) return false;
    const labelText = candidate.slice(name.length).replace(/\s[^\s]+$/, '');
    return wanted.every((pair) => labelText.includes(pair));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
