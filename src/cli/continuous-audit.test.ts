import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditedObject, AuditResult } from '../engine/audit.js';
import type { ObjectResult, ReportedViolation } from '../report/report.js';
import { createAuditMetrics, recordPass, violationCounts } from './audit-metrics.js';
import { PassScheduler } from './continuous-audit.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A pass that takes `ms` on the fake clock, counting how many ran and whether two ever overlapped. */
function countingPass(ms: number): { pass: () => Promise<void>; runs: () => number; overlapped: () => boolean } {
  let runs = 0;
  let running = 0;
  let overlapped = false;
  return {
    pass: async () => {
      runs += 1;
      running += 1;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
    },
    runs: () => runs,
    overlapped: () => overlapped,
  };
}

describe('PassScheduler', () => {
  it('runs a pass once changes have settled: a burst of changes costs one pass', async () => {
    vi.useFakeTimers();
    const counting = countingPass(10);
    const scheduler = new PassScheduler(counting.pass, { settleMs: 200, intervalMs: 60_000 });
    for (let i = 0; i < 20; i++) {
      scheduler.changed();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(counting.runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(counting.runs()).toBe(1);
    scheduler.stop();
  });

  it('runs a pass within ten settle periods even while changes never stop', async () => {
    vi.useFakeTimers();
    const counting = countingPass(10);
    const scheduler = new PassScheduler(counting.pass, { settleMs: 200, intervalMs: 60_000 });
    for (let i = 0; i < 25; i++) {
      scheduler.changed();
      await vi.advanceTimersByTimeAsync(100);
    }
    // 2.5 s of a change every 100 ms: one pass at about 2.2 s (2 s of deferral, then the settle timer).
    expect(counting.runs()).toBe(1);
    scheduler.stop();
  });

  it('never runs two passes at once: a request during a pass gets exactly one more after it', async () => {
    vi.useFakeTimers();
    const counting = countingPass(1_000);
    const scheduler = new PassScheduler(counting.pass, { settleMs: 0, intervalMs: 60_000 });
    scheduler.now();
    scheduler.now();
    scheduler.now();
    await vi.advanceTimersByTimeAsync(10);
    expect(counting.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(counting.runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(counting.runs()).toBe(2);
    expect(counting.overlapped()).toBe(false);
    scheduler.stop();
  });

  it('runs a full pass every interval after the last one, and nothing after stop', async () => {
    vi.useFakeTimers();
    const counting = countingPass(10);
    const scheduler = new PassScheduler(counting.pass, { settleMs: 100, intervalMs: 1_000 });
    scheduler.now();
    await vi.advanceTimersByTimeAsync(3_100);
    expect(counting.runs()).toBe(4);
    scheduler.stop();
    scheduler.changed();
    scheduler.now();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(counting.runs()).toBe(4);
  });

  it('keeps going after a pass that failed', async () => {
    vi.useFakeTimers();
    let runs = 0;
    const scheduler = new PassScheduler(() => {
      runs += 1;
      return Promise.reject(new Error('the API server went away'));
    }, { settleMs: 0, intervalMs: 500 });
    scheduler.now();
    await vi.advanceTimersByTimeAsync(1_100);
    expect(runs).toBe(3);
    scheduler.stop();
  });
});

function violation(rule: string, action: ReportedViolation['action'], enforcedAction?: ReportedViolation['action']): ReportedViolation {
  return { rule, action, ...(enforcedAction === undefined ? {} : { enforcedAction }), path: 'spec', message: 'm', summary: 's', fix: 'f', line: 0 };
}

function audited(kind: string, namespace: string, name: string, violations: ReportedViolation[], failures: ObjectResult['failures'] = []): AuditedObject {
  const result: ObjectResult = { apiVersion: 'v1', kind, namespace, name, judged: true, allowed: true, file: '/', line: 0, violations, waived: [], failures };
  return { reference: { apiVersion: 'v1', kind, namespace: kind === 'Namespace' ? '' : namespace, name, uid: `uid-${name}` }, result };
}

function pass(...objects: AuditedObject[]): AuditResult {
  return { audited: objects, skipped: { excluded: 0, owned: 0 } };
}

describe('the violations gauge', () => {
  it('counts findings by rule, namespace and result: a softened denial is still a fail, a Namespace counts in itself', () => {
    const counts = violationCounts(
      pass(
        audited('NetworkPolicy', 'shop', 'a', [violation('netpol-world-ingress', 'deny'), violation('netpol-broad-cidr', 'warn')]),
        audited('NetworkPolicy', 'shop', 'b', [violation('netpol-world-ingress', 'warn', 'deny')]),
        audited('Pod', 'web', 'c', [violation('netpol-world-ingress', 'deny')]),
        audited('Namespace', '', 'bare', [violation('namespace-no-default-deny', 'warn')]),
      ),
    );
    expect([...counts.values()].map((entry) => `${entry.rule} ${entry.namespace} ${entry.result} ${String(entry.count)}`).sort()).toEqual([
      'namespace-no-default-deny bare warn 1',
      'netpol-broad-cidr shop warn 1',
      'netpol-world-ingress shop fail 2',
      'netpol-world-ingress web fail 1',
    ]);
  });

  it('is replaced whole at each pass, so a fixed object no longer counts', async () => {
    const metrics = createAuditMetrics({ defaultMetrics: false });
    recordPass(metrics, pass(audited('Pod', 'shop', 'a', [violation('pod-host-network', 'deny')], [{ rule: 'required-labels', message: 'boom' }])));
    let text = await metrics.registry.metrics();
    expect(text).toContain('kube_guardrails_audit_violations{rule="pod-host-network",namespace="shop",result="fail"} 1');
    expect(text).toContain('kube_guardrails_audit_objects 1');
    expect(text).toContain('kube_guardrails_rule_failures_total{rule="required-labels"} 1');
    recordPass(metrics, pass(audited('Pod', 'shop', 'a', [])));
    text = await metrics.registry.metrics();
    expect(text).not.toContain('kube_guardrails_audit_violations{');
  });
});
