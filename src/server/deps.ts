/**
 * What the webhook server is built from: its dependencies (passed in where the program
 * is composed) and its settings. The routes read these types; nothing here imports a
 * route, so the server and its routes form no import loop.
 */
import type { ServerOptions as HttpsOptions } from 'node:https';
import type { Logger } from '../logger.js';
import type { Policy } from '../policy/policy.js';
import type { ClusterView, Rule } from '../rules/types.js';
import { RETRY_AFTER_SECONDS } from './errors.js';
import type { Metrics } from './metrics.js';
import type { SheddingSettings } from './load-shedding.js';
import type { LargeReviewJudge } from './review-pool.js';

export type LifecycleState = 'starting' | 'ready' | 'draining';

export interface ServerDeps {
  readonly rules: readonly Rule[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The policy in force now; read once per review. */
  readonly policy: () => Policy;
  readonly view: ClusterView;
  /** Why the view cannot be trusted now, or undefined when it can (or the webhook runs without one). */
  readonly viewStaleness: () => string | undefined;
  readonly now: () => number;
  readonly lifecycle: { state(): LifecycleState };
  readonly logBodies: boolean;
  /** Where bodies over `inlineBodyMaxBytes` are judged (the review pool). */
  readonly largeReviews: LargeReviewJudge;
  /** Decides, from event-loop lag, whether to refuse a new review. */
  readonly lag: { shouldRefuse(): boolean };
}

export interface ServerSettings {
  readonly https?: HttpsOptions;
  /** The API server sends at most 3 MiB, and an UPDATE carries two objects. */
  readonly bodyLimitBytes: number;
  /** Longer than the API server's 90 s idle timeout, so it never reuses a closing socket. */
  readonly keepAliveTimeoutMs: number;
  /** Deadline for receiving a whole request; shorter than the webhook's timeoutSeconds. */
  readonly requestTimeoutMs: number;
  /** Bodies up to this size are parsed and judged on the event loop; larger ones on the review pool. */
  readonly inlineBodyMaxBytes: number;
  readonly shedding: Omit<SheddingSettings, 'bodyLimitBytes'>;
}

/** The webhook's timeoutSeconds is 5 s: a request must be whole well before that. */
export const REQUEST_TIMEOUT_MS = 4_000;

/**
 * The webhook's timeoutSeconds (manifests/): the deadline assumed for a caller that sends
 * no `?timeout=`.
 */
export const WEBHOOK_TIMEOUT_MS = 5_000;

export const SERVER_DEFAULTS: ServerSettings = {
  bodyLimitBytes: 8 * 1024 * 1024, // 8 MiB
  keepAliveTimeoutMs: 120_000, // 120 s
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  // An ordinary review is a few KiB and judged in well under a millisecond; a 128 KiB
  // object of the costliest shape takes tens of milliseconds, the most one review may
  // hold up the others.
  inlineBodyMaxBytes: 128 * 1024,
  shedding: {
    // Above what 32 concurrent 54 KB reviews cause (about 100–160 ms) so that steady load
    // is never refused; far under the 5 s deadline.
    targetLagMs: 250,
    maxBodyBytesInFlight: 32 * 1024 * 1024, // 32 MiB: four bodies at the limit
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    defaultTimeoutMs: WEBHOOK_TIMEOUT_MS,
  },
};
