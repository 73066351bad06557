/**
 * The real review pool: worker threads running the built worker (dist/, which `npm test`
 * builds before the tests run), judging a large review in the same cluster view as the
 * event loop would, from the snapshot the pool sends for the review's namespace.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { admissionReview, defaultedNetworkPolicy } from '../../test/helpers/review-builders.js';
import { manifestView } from '../cluster/manifest-view.js';
import { NO_VIEW } from '../engine/evaluate.js';
import { createLogger } from '../logger.js';
import { defaultPolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { createMetrics } from './metrics.js';
import { ReviewPool } from './review-pool.js';

const WORKER = join(import.meta.dirname, '..', '..', 'dist', 'server', 'review-worker.js');
const policy = defaultPolicy(RULES);
const caller = { deadlineAt: Number.POSITIVE_INFINITY, signal: new AbortController().signal };

/** A policy for app=web admitting `cidr`, padded with excepts past the inline limit, so the pool judges it. */
function largeQuarter(name: string, cidr: string): Record<string, unknown> {
  // Small holes inside 64.0.0.0/2: they leave it short of the internet alone, and valid.
  const except = Array.from({ length: 9000 }, (_, i) => `${64 + (i % 60)}.${Math.floor(i / 60)}.7.0/24`);
  return defaultedNetworkPolicy(name, { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr, except } }] }] }, 'shop');
}

const smallQuarter = (name: string, cidr: string) =>
  defaultedNetworkPolicy(name, { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }] }, 'shop');

describe.skipIf(!existsSync(WORKER))('the review pool', () => {
  const pool = new ReviewPool(
    { workers: 1, maxQueued: 4, budgetMs: 10_000, heapMiB: 96 },
    { url: pathToFileURL(WORKER), policyText: () => undefined },
    createMetrics({ defaultMetrics: false }),
    createLogger({ level: 'silent' }),
  );
  afterAll(() => pool.close());

  it('judges a large review in the cluster view: a quarter that completes the internet with another policy is refused, naming it', async () => {
    const object = largeQuarter('q2', '64.0.0.0/2');
    const text = JSON.stringify(admissionReview(object));
    expect(text.length).toBeGreaterThan(128 * 1024);
    const view = manifestView([smallQuarter('q1', '0.0.0.0/2')], 'shop');
    const outcome = await pool.judge(text, caller, { policy, view, now: Date.now(), logBodies: false });
    expect(outcome.decision).toBe('deny');
    expect(outcome.answer.response.status?.message).toContain('"q1"');
  });

  it('admits the same review without the view, and says the view is stale when told so', async () => {
    const text = JSON.stringify(admissionReview(largeQuarter('q2', '64.0.0.0/2')));
    const alone = await pool.judge(text, caller, { policy, view: NO_VIEW, now: Date.now(), logBodies: false });
    expect(alone.decision).toBe('allow');
    const stale = await pool.judge(text, caller, { policy, view: NO_VIEW, viewStaleness: 'pods lost 90 s ago', now: Date.now(), logBodies: false });
    expect(stale.answer.response.warnings?.[0]).toContain('cluster view not current (pods lost 90 s ago)');
  });
});
