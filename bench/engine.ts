/** Engine micro-benchmarks: evaluations per second of one object, in process. */
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
function measure(name: string, object: Record<string, unknown>, budgetMs: number): EngineResult {
  for (let i = 0; i < 2_000; i++) evaluate(RULES, object, CONTEXT);
  let iterations = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(budgetMs) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 100; i++) evaluate(RULES, object, CONTEXT);
    iterations += 100;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, evaluationsPerSecond: iterations / seconds, microsecondsPerEvaluation: (seconds / iterations) * 1e6 };
}

export function engineBenchmarks(budgetMs = 2_000): EngineResult[] {
  const random = new Random(7);
  return [
    measure('typical NetworkPolicy (3 rules, selectors and an ipBlock)', networkPolicy(random, 'allowed', 3, 1), budgetMs),
    measure('typical Pod (3 containers and an init container)', pod(random, 'allowed', 2), budgetMs),
    measure('denied NetworkPolicy (2 rules + 0.0.0.0/0, message built)', networkPolicy(random, 'denied', 2, 3), budgetMs),
    measure('worst case: NetworkPolicy of 50 rules, 100+ peers, world egress', networkPolicy(random, 'warned', 50, 4), budgetMs),
  ];
}
