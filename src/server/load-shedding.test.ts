import { afterEach, describe, expect, it } from 'vitest';
import { admissionReview } from '../../test/helpers/review-builders.js';
import { networkPolicy } from '../../test/helpers/objects.js';
import { reviewServer, type ReviewServer } from '../../test/helpers/review-server.js';
import { defaultPolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { budgetOutcome } from './budget-outcome.js';
import { timeoutFromUrl } from './load-shedding.js';

const WORLD = networkPolicy('world', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });

let server: ReviewServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('timeoutFromUrl', () => {
  it.each([
    ['/validate?timeout=5s', 5000],
    ['/validate?timeout=10s&x=1', 10_000],
    ['/validate?x=1&timeout=1500ms', 1500],
    ['/validate?timeout=1m', 60_000],
    ['/validate?timeout=2.5s', 2500],
  ])('reads %s as %d ms', (url, ms) => {
    expect(timeoutFromUrl(url)).toBe(ms);
  });

  it.each(['/validate', '/validate?timeout=', '/validate?timeout=0s', '/validate?timeout=abc', '/validate?timeouts=5s'])('reads no deadline from %s', (url) => {
    expect(timeoutFromUrl(url)).toBeUndefined();
  });
});

describe('load shedding', () => {
  it('refuses a review with 429 KG_OVERLOADED and Retry-After when the lag controller says so, before reading the body', async () => {
    server = reviewServer({ lag: { shouldRefuse: () => true } });
    const response = await server.post(admissionReview(WORLD));
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toEqual({ code: 'KG_OVERLOADED', message: expect.stringMatching(/retry shortly/) });
    expect(await server.metricsText()).toMatch(/kube_guardrails_shed_requests_total\{reason="lag"\} 1/);
  });

  it('drops unjudged a review whose caller’s deadline has already passed', async () => {
    server = reviewServer();
    const response = await server.app.inject({ method: 'POST', url: '/validate?timeout=0.0001ms', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(admissionReview(WORLD)) });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'KG_DEADLINE_PASSED' });
  });

  it('answers a body over the inline limit through the large-review judge with the same verdict as inline', async () => {
    const review = admissionReview(WORLD);
    server = reviewServer();
    const inline = await server.validate(review);
    await server.close();
    server = reviewServer({ settings: { inlineBodyMaxBytes: 10 } });
    const large = await server.validate(review);
    expect(large).toEqual(inline);
    expect(large.response.allowed).toBe(false);
  });
});

describe('budgetOutcome', () => {
  const facts = { uid: 'u1', kindLabel: 'NetworkPolicy', kind: 'NetworkPolicy', namespace: 'a', name: 'n', operation: 'CREATE', user: 'alice', dryRun: false };
  const limits = { budgetMs: 2000, heapMiB: 96 };

  it('refuses under onError: deny with the code, the limit and how to get judged', () => {
    const outcome = budgetOutcome(facts, defaultPolicy(RULES), 'time', limits);
    expect(outcome.decision).toBe('deny');
    expect(outcome.answer.response).toMatchObject({ uid: 'u1', allowed: false, status: { code: 500 } });
    expect(outcome.answer.response.status?.message).toMatch(/^\[kube-guardrails\] KG_REVIEW_BUDGET: .*2,000 ms budget.*Split it/);
  });

  it('admits with a warning under onError: allow, and under audit enforcement', () => {
    for (const policy of [{ ...defaultPolicy(RULES), onError: 'allow' as const }, { ...defaultPolicy(RULES), enforcement: 'audit' as const }]) {
      const outcome = budgetOutcome(facts, policy, 'memory', limits);
      expect(outcome.answer.response.allowed).toBe(true);
      expect(outcome.answer.response.warnings).toEqual([expect.stringMatching(/KG_REVIEW_BUDGET: .*96 MiB budget; admitted because (onError is allow|enforcement is audit)$/)]);
    }
  });
});
