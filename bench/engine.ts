/** Engine micro-benchmarks: evaluations per second of one object, in process. */
import { ClusterState } from '../src/cluster/cluster-state.js';
import { evaluate, NO_VIEW, type EvaluationContext } from '../src/engine/evaluate.js';
import { defaultPolicy } from '../src/policy/policy.js';
import { RULES } from '../src/rules/index.js';
import { Random } from './random.js';
import { networkPolicy, pod } from './reviews.js';

export interface EngineResult {
  readonly name: string;
  readonly evaluationsPerSecond: number;
  readonly microsecondsPerEvaluation: number;
}

const CONTEXT: EvaluationContext = { policy: defaultPolicy(RULES), view: NO_VIEW, now: 0, defaultNamespace: 'default' };

/** Runs for about `budgetMs` after a warm-up, so the JIT has settled. */
function measure(name: string, object: Record<string, unknown>, budgetMs: number, context: EvaluationContext = CONTEXT): EngineResult {
  for (let i = 0; i < 2_000; i++) evaluate(RULES, object, context);
  let iterations = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(budgetMs) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 100; i++) evaluate(RULES, object, context);
    iterations += 100;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, evaluationsPerSecond: iterations / seconds, microsecondsPerEvaluation: (seconds / iterations) * 1e6 };
}

/** Objects placed in one namespace, as the cluster view keeps them. */
function inNamespace(object: Record<string, unknown>, namespace: string): Record<string, unknown> {
  return { ...object, metadata: { ...(object.metadata as Record<string, unknown>), namespace } };
}

/**
 * A live view whose namespace under review holds 200 NetworkPolicies (some with public
 * ipBlocks, so the joint judgement has work) and 100 Pods.
 */
function busyNamespaceContext(random: Random): EvaluationContext {
  const state = new ClusterState();
  const policies = Array.from({ length: 200 }, (_, i) => {
    const object = inNamespace(networkPolicy(random, 'allowed', 3, 10_000 + i), 'busy');
    if (i % 10 === 0) (object.spec as { ingress: unknown[] }).ingress.push({ from: [{ ipBlock: { cidr: `${(i % 200) + 1}.0.0.0/8` } }] });
    return object;
  });
  state.replace('networkpolicies', policies);
  state.replace('pods', Array.from({ length: 100 }, (_, i) => inNamespace(pod(random, 'allowed', 20_000 + i), 'busy')));
  state.replace('namespaces', [{ metadata: { name: 'busy' } }]);
  return { ...CONTEXT, view: state.view(() => true), defaultNamespace: 'busy' };
}

function withPublicBlock(object: Record<string, unknown>): Record<string, unknown> {
  const spec = object.spec as { ingress: unknown[] };
  return { ...object, spec: { ...spec, ingress: [...spec.ingress, { from: [{ ipBlock: { cidr: '64.0.0.0/8' } }] }] } };
}

export function engineBenchmarks(budgetMs = 2_000): EngineResult[] {
  const random = new Random(7);
  const busy = busyNamespaceContext(new Random(9));
  return [
    measure('typical NetworkPolicy (3 rules, selectors and an ipBlock)', networkPolicy(random, 'allowed', 3, 1), budgetMs),
    measure('typical Pod (3 containers and an init container)', pod(random, 'allowed', 2), budgetMs),
    measure('denied NetworkPolicy (2 rules + 0.0.0.0/0, message built)', networkPolicy(random, 'denied', 2, 3), budgetMs),
    measure('worst case: NetworkPolicy of 50 rules, 100+ peers, world egress', networkPolicy(random, 'warned', 50, 4), budgetMs),
    measure('NetworkPolicy in a namespace of 200 policies and 100 pods (view)', inNamespace(networkPolicy(random, 'allowed', 3, 5), 'busy'), budgetMs, busy),
    measure('NetworkPolicy with a public /8 among 200 policies (joint judgement)', withPublicBlock(inNamespace(networkPolicy(random, 'allowed', 3, 6), 'busy')), budgetMs, busy),
    measure('Pod in a namespace of 200 policies (view)', inNamespace(pod(random, 'allowed', 7), 'busy'), budgetMs, busy),
  ];
}
