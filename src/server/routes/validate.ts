/**
 * POST /validate: AdmissionReview in, AdmissionReview out. The API server appends
 * `?timeout=Ns`, so the route matches on the path alone. An ordinary review is judged
 * here on the event loop; a large body (see LargeBody) goes to the review pool, so that
 * no single object holds up the reviews behind it.
 */
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from '../deps.js';
import { LargeBody } from '../json-body.js';
import { assertCallerWaiting, callerOf } from '../load-shedding.js';
import { judgeReview, type ReviewOutcome } from '../review-outcome.js';

/** A caller with no deadline, for a request that did not pass the shedding hook. */
function anyTimeCaller(): { deadlineAt: number; signal: AbortSignal } {
  return { deadlineAt: Number.POSITIVE_INFINITY, signal: new AbortController().signal };
}

function record(deps: ServerDeps, outcome: ReviewOutcome, seconds: number): void {
  const { metrics } = deps;
  const { kindLabel: kind, decision } = outcome;
  metrics.reviews.inc({ kind, operation: outcome.operation, decision, dry_run: String(outcome.dryRun) });
  metrics.reviewDuration.observe({ kind, decision }, seconds);
  for (const violation of outcome.violations) metrics.findings.inc({ rule: violation.rule, action: violation.action });
  for (const waiver of outcome.waived) metrics.findingsWaived.inc({ rule: waiver.rule, exemption: waiver.exemption });
  for (const failure of outcome.failures) metrics.ruleFailures.inc({ rule: failure.rule });
  if (outcome.viewStale === true) metrics.viewStaleReviews.inc();
}

function logDecision(log: FastifyBaseLogger, outcome: ReviewOutcome, seconds: number): void {
  for (const failure of outcome.failures) {
    log.error({ uid: outcome.uid, rule: failure.rule, err: failure.error, code: 'KG_RULE_FAILED' }, 'rule failed');
  }
  log.info(
    {
      uid: outcome.uid,
      kind: outcome.kind,
      namespace: outcome.namespace,
      name: outcome.name,
      operation: outcome.operation,
      user: outcome.user,
      dryRun: outcome.dryRun,
      decision: outcome.decision,
      rules: [...new Set(outcome.violations.map((v) => `${v.rule}:${v.action}${v.preexisting ? ':preexisting' : ''}`))],
      ...(outcome.waived.length === 0 ? {} : { waived: outcome.waived }),
      durationMs: Math.round(seconds * 1e6) / 1e3,
      ...(outcome.object === undefined ? {} : { object: outcome.object }),
    },
    'admission decision',
  );
}

export const validateRoute: FastifyPluginAsync<ServerDeps> = (app, deps) => {
  app.post('/validate', async (request) => {
    const started = process.hrtime.bigint();
    const staleness = deps.viewStaleness();
    const environment = {
      rules: deps.rules,
      policy: deps.policy(),
      view: deps.view,
      now: deps.now(),
      logBodies: deps.logBodies,
      ...(staleness === undefined ? {} : { viewStaleness: staleness }),
    };
    assertCallerWaiting(request);
    const outcome =
      request.body instanceof LargeBody
        ? await deps.largeReviews.judge(request.body.text, callerOf(request) ?? anyTimeCaller(), environment)
        : judgeReview(request.body, environment);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    record(deps, outcome, seconds);
    logDecision(request.log, outcome, seconds);
    return outcome.answer;
  });
  return Promise.resolve();
};
