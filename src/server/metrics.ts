/**
 * Prometheus metrics on a registry of our own (never the global one), so that tests
 * and several servers in one process do not share counters. Labels are bounded sets:
 * rule ids, actions, kinds, operations, decisions.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ViewHealth } from '../cluster/informer-view.js';
import { WATCHED_RESOURCES } from '../cluster/cluster-state.js';

export interface Metrics {
  readonly registry: Registry;
  readonly reviews: Counter<'kind' | 'operation' | 'decision' | 'dry_run'>;
  readonly reviewDuration: Histogram<'kind' | 'decision'>;
  readonly findings: Counter<'rule' | 'action'>;
  readonly findingsWaived: Counter<'rule' | 'exemption'>;
  readonly policyWarnings: Gauge;
  readonly ruleFailures: Counter<'rule'>;
  readonly badRequests: Counter<'code'>;
  readonly policyReloads: Counter<'outcome'>;
  readonly certificateReloads: Counter<'outcome'>;
  readonly certificateExpiry: Gauge;
  readonly shed: Counter<'reason'>;
  readonly reviewQueueDepth: Gauge;
  readonly queueDelay: Histogram<'queue'>;
  readonly reviewBudgetExceeded: Counter<'reason'>;
  readonly viewStaleReviews: Counter;
  /** Reads the cluster view's health when /metrics is scraped; set where the view is started. */
  viewHealth: (() => ViewHealth) | undefined;
}

/** Fine enough to tell 1 ms from 5 ms; the API server's own buckets start at 5 ms. */
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Gauges of the cluster view, filled from its health at each scrape. */
function viewGauges(registers: Registry[], health: () => ViewHealth | undefined): void {
  const each = (gauge: Gauge<'resource'>, value: (health: ViewHealth, resource: (typeof WATCHED_RESOURCES)[number]) => number | undefined): void => {
    gauge.reset();
    const current = health();
    if (current === undefined) return;
    for (const resource of WATCHED_RESOURCES) {
      const figure = value(current, resource);
      if (figure !== undefined) gauge.set({ resource }, figure);
    }
  };
  new Gauge({
    name: 'kube_guardrails_cluster_view_synced',
    help: 'Whether the cluster view of a resource is listed and watching now (1), or not yet listed or its watch is down (0).',
    labelNames: ['resource'],
    registers,
    collect() {
      each(this, (current, resource) => {
        const { synced, lostSince } = current.resources[resource];
        return synced && lostSince === undefined ? 1 : 0;
      });
    },
  });
  new Gauge({
    name: 'kube_guardrails_cluster_view_objects',
    help: 'Objects the cluster view holds, by resource.',
    labelNames: ['resource'],
    registers,
    collect() {
      each(this, (current, resource) => current.resources[resource].objects);
    },
  });
  new Gauge({
    name: 'kube_guardrails_cluster_view_last_event_age_seconds',
    help: 'Seconds since the last list, watch event or bookmark of a resource arrived.',
    labelNames: ['resource'],
    registers,
    collect() {
      each(this, (current, resource) => {
        const at = current.resources[resource].lastEventAt;
        return at === undefined ? undefined : (Date.now() - at) / 1000;
      });
    },
  });
}

/** The metrics of the policy in force and of the rules judging under it: the webhook's and the continuous audit's alike. */
export function policyMetrics(registers: Registry[]): Pick<Metrics, 'policyWarnings' | 'policyReloads' | 'ruleFailures'> {
  return {
    policyWarnings: new Gauge({ name: 'kube_guardrails_policy_warnings', help: 'Warnings about the policy in force (self-service exemptions).', registers }),
    policyReloads: new Counter({ name: 'kube_guardrails_policy_reloads_total', help: 'Policy file reloads by outcome (success, failure).', labelNames: ['outcome'], registers }),
    ruleFailures: new Counter({ name: 'kube_guardrails_rule_failures_total', help: 'Rules that threw while judging (bugs); onError decided.', labelNames: ['rule'], registers }),
  };
}

export function createMetrics(options: { defaultMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'kube_guardrails_' });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    reviews: new Counter({
      name: 'kube_guardrails_admission_reviews_total',
      help: 'AdmissionReviews answered, by kind, operation, decision (allow, deny, skip) and dry run.',
      labelNames: ['kind', 'operation', 'decision', 'dry_run'],
      registers,
    }),
    reviewDuration: new Histogram({
      name: 'kube_guardrails_admission_review_duration_seconds',
      help: 'Time from receiving a parsed AdmissionReview to sending the answer.',
      labelNames: ['kind', 'decision'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    findings: new Counter({ name: 'kube_guardrails_findings_total', help: 'Findings by rule and effective action.', labelNames: ['rule', 'action'], registers }),
    findingsWaived: new Counter({
      name: 'kube_guardrails_findings_waived_total',
      help: 'Findings an exemption waived, by rule and exemption (exemption names come from the policy file, a bounded set).',
      labelNames: ['rule', 'exemption'],
      registers,
    }),
    ...policyMetrics(registers),
    badRequests: new Counter({ name: 'kube_guardrails_bad_requests_total', help: 'Requests refused with HTTP 4xx, by error code.', labelNames: ['code'], registers }),
    certificateReloads: new Counter({ name: 'kube_guardrails_certificate_reloads_total', help: 'Serving certificate reloads by outcome.', labelNames: ['outcome'], registers }),
    certificateExpiry: new Gauge({ name: 'kube_guardrails_certificate_expiry_timestamp_seconds', help: 'notAfter of the serving certificate, in Unix seconds.', registers }),
    shed: new Counter({
      name: 'kube_guardrails_shed_requests_total',
      help: 'Reviews refused or dropped unjudged under load, by reason (busy, body_bytes, queue_full, deadline, caller_gone).',
      labelNames: ['reason'],
      registers,
    }),
    reviewQueueDepth: new Gauge({ name: 'kube_guardrails_review_queue_depth', help: 'Large reviews waiting for a review worker.', registers }),
    queueDelay: new Histogram({
      name: 'kube_guardrails_review_queue_delay_seconds',
      help: 'Time a review waited before it was admitted: behind the work of the same event-loop turn (queue=event_loop), or for a review worker (queue=review_pool).',
      labelNames: ['queue'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    reviewBudgetExceeded: new Counter({
      name: 'kube_guardrails_review_budget_exceeded_total',
      help: 'Reviews that overran the per-review budget (time, memory) or lost their worker (crash), answered with KG_REVIEW_BUDGET.',
      labelNames: ['reason'],
      registers,
    }),
    viewStaleReviews: new Counter({
      name: 'kube_guardrails_cluster_view_stale_reviews_total',
      help: 'Reviews judged while the cluster view could not be trusted: the rules that need it skipped, and the answer said so.',
      registers,
    }),
    viewHealth: undefined,
  };
  viewGauges(registers, () => metrics.viewHealth?.());
  return metrics;
}
