/**
 * The edge that writes policy reports: lists the reports kube-guardrails manages (by its
 * label), sends the planned writes through a rate limit, and counts what happened. A
 * write that fails (a conflict with another writer, a namespace being deleted) is counted
 * and left to the next pass; it never stops the others.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { field, recordOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import { describeError, GuardrailsError } from '../errors.js';
import type { Logger } from '../logger.js';
import { MANAGED_BY_LABEL, REPORT_KINDS, REPORT_SOURCE, reportCollectionPath, type ReportApi } from '../report/openreports.js';
import type { ReportWrite } from '../report/report-plan.js';
import { ApiStatusError, listAllPages, type KubeApi, type KubeRequests } from './kube-api.js';

const LIST_PAGE_SIZE = 500;
const MANAGED = `labelSelector=${encodeURIComponent(`${MANAGED_BY_LABEL}=${REPORT_SOURCE}`)}`;

function listPages(api: KubeApi, path: string, signal: AbortSignal): Promise<JsonRecord[]> {
  return listAllPages(api, `${path}?${MANAGED}`, { pageSize: LIST_PAGE_SIZE, signal, keep: (item) => item });
}

/**
 * The reports kube-guardrails wrote before, in the namespace (or everywhere) and cluster-wide.
 * A 404 means the report CRDs are not installed.
 */
export async function listManagedReports(api: KubeApi, reportApi: ReportApi, namespace: string | undefined, signal: AbortSignal): Promise<JsonRecord[]> {
  const namespacedPath = namespace === undefined ? `/apis/${REPORT_KINDS[reportApi].apiVersion}/${REPORT_KINDS[reportApi].namespaced.resource}` : reportCollectionPath(reportApi, namespace);
  try {
    const [namespaced, cluster] = await Promise.all([listPages(api, namespacedPath, signal), listPages(api, reportCollectionPath(reportApi, undefined), signal)]);
    return [...namespaced, ...cluster];
  } catch (error: unknown) {
    if (error instanceof ApiStatusError && error.statusCode === 404) {
      const kinds = REPORT_KINDS[reportApi];
      throw new GuardrailsError('KG_REPORTS_UNAVAILABLE', `the cluster does not serve ${kinds.apiVersion} ${kinds.namespaced.kind} and ${kinds.cluster.kind}: install their CRDs first${reportApi === 'openreports' ? ' (kubectl apply -k manifests/openreports/)' : ''}`, { cause: error });
    }
    throw error;
  }
}

/** A token bucket: `perSecond` writes on average, bursts of up to `burst`. */
export class RateLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Milliseconds to wait before the next write may go (0 when it may go now); takes its token. */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }
}

export interface WriteOutcome {
  readonly created: number;
  readonly replaced: number;
  readonly deleted: number;
  readonly failed: number;
}

function describeWrite(write: ReportWrite): string {
  const name = stringOf(field(recordOf(field(write.body, 'metadata')), 'name'));
  return `${write.method} ${write.path}${write.method === 'POST' && name !== undefined ? `/${name}` : ''}`;
}

/** Waits for the next write's turn; false when stopped before or while waiting (the write is not sent). */
async function turnOf(limit: RateLimit, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  const wait = limit.take();
  if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
  return !signal.aborted;
}

/** Writes in flight at once: a round trip's wait is not the rate limit's. */
const WRITES_IN_FLIGHT = 4;

type Counts = { -readonly [K in keyof WriteOutcome]: WriteOutcome[K] };

async function sendOne(api: KubeRequests, write: ReportWrite, counts: Counts, deps: { readonly logger: Logger; readonly signal: AbortSignal }): Promise<void> {
  try {
    await api.send(write.method, write.path, write.body, deps.signal);
    if (write.method === 'POST') counts.created += 1;
    else if (write.method === 'PUT') counts.replaced += 1;
    else counts.deleted += 1;
  } catch (error: unknown) {
    // Already gone is what a deletion wanted.
    if (write.method === 'DELETE' && error instanceof ApiStatusError && error.statusCode === 404) return;
    counts.failed += 1;
    deps.logger.warn({ write: describeWrite(write), err: describeError(error) }, 'report write failed; the next pass retries it');
  }
}

/** Sends the writes in order (a few in flight at once), each after its turn of the rate limit. */
export async function applyReportWrites(api: KubeRequests, writes: readonly ReportWrite[], limit: RateLimit, deps: { readonly logger: Logger; readonly signal: AbortSignal }): Promise<WriteOutcome> {
  const counts: Counts = { created: 0, replaced: 0, deleted: 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < writes.length) {
      const write = writes[next];
      next += 1;
      if (write === undefined || !(await turnOf(limit, deps.signal))) return;
      await sendOne(api, write, counts, deps);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITES_IN_FLIGHT, writes.length) }, worker));
  return counts;
}
