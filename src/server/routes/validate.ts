/**
 * POST /validate: AdmissionReview in, AdmissionReview out. The API server appends
 * `?timeout=Ns`, so the route matches on the path alone.
 */
import type { FastifyPluginAsync } from 'fastify';
import { admissionResponse } from '../../admission/response.js';
import { isJudged, parseReview, type ReviewRequest } from '../../admission/review.js';
import { admissionKindOf, DEFAULT_NAMESPACE } from '../../core/kubernetes/kinds.js';
import { evaluate, type Verdict } from '../../engine/evaluate.js';
import type { ServerDeps } from '../deps.js';

function decisionOf(verdict: Verdict | undefined): 'allow' | 'deny' | 'skip' {
  if (verdict === undefined) return 'skip';
  return verdict.allowed ? 'allow' : 'deny';
}

function judge(review: ReviewRequest, deps: ServerDeps): Verdict | undefined {
  if (!isJudged(review) || review.object === undefined) return undefined;
  return evaluate(deps.rules, review.object, {
    policy: deps.policy(),
    view: deps.view,
    now: deps.now(),
    defaultNamespace: review.namespace === '' ? DEFAULT_NAMESPACE : review.namespace,
    requester: { username: review.username, groups: review.groups },
    // An UPDATE is judged on what it changes: findings the stored object has do not refuse it.
    ...(review.operation === 'UPDATE' && review.oldObject !== undefined ? { previous: review.oldObject } : {}),
  });
}

/** Metric labels are a bounded set: the kinds the table says we judge by name, anything else as "other". */
function kindLabel(review: ReviewRequest): string {
  const { group, version, kind } = review.kind;
  return admissionKindOf(group, version, kind)?.kind ?? 'other';
}

function record(deps: ServerDeps, review: ReviewRequest, verdict: Verdict | undefined, seconds: number): void {
  const decision = decisionOf(verdict);
  const { metrics } = deps;
  const kind = kindLabel(review);
  metrics.reviews.inc({ kind, operation: review.operation, decision, dry_run: String(review.dryRun) });
  metrics.reviewDuration.observe({ kind, decision }, seconds);
  for (const violation of verdict?.violations ?? []) metrics.findings.inc({ rule: violation.rule, action: violation.action });
  for (const waiver of verdict?.waived ?? []) metrics.findingsWaived.inc({ rule: waiver.rule, exemption: waiver.exemption });
  for (const failure of verdict?.failures ?? []) metrics.ruleFailures.inc({ rule: failure.rule });
}

export const validateRoute: FastifyPluginAsync<ServerDeps> = (app, deps) => {
  app.post('/validate', (request) => {
    const started = process.hrtime.bigint();
    const review = parseReview(request.body);
    const verdict = judge(review, deps);
    const answer = admissionResponse(review.uid, verdict);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    record(deps, review, verdict, seconds);
    for (const failure of verdict?.failures ?? []) {
      request.log.error({ uid: review.uid, rule: failure.rule, err: failure.error, code: 'KG_RULE_FAILED' }, 'rule failed');
    }
    request.log.info(
      {
        uid: review.uid,
        kind: review.kind.kind,
        namespace: review.namespace,
        name: review.name,
        operation: review.operation,
        user: review.username,
        dryRun: review.dryRun,
        decision: decisionOf(verdict),
        rules: [...new Set(verdict?.violations.map((v) => `${v.rule}:${v.action}${v.preexisting === true ? ':preexisting' : ''}`) ?? [])],
        ...(verdict === undefined || verdict.waived.length === 0
          ? {}
          : { waived: verdict.waived.map((w) => ({ rule: w.rule, exemption: w.exemption, reason: w.reason, ...(w.expires === undefined ? {} : { expires: w.expires }) })) }),
        durationMs: Math.round(seconds * 1e6) / 1e3,
        ...(deps.logBodies && verdict !== undefined ? { object: review.object } : {}),
      },
      'admission decision',
    );
    return answer;
  });
  return Promise.resolve();
};
