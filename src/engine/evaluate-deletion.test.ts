import { describe, expect, it } from 'vitest';
import { networkPolicy, pod, WORLD_INGRESS } from '../../test/helpers/objects.js';
import { readNetworkPolicy, type NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import { compilePolicy, defaultPolicy, type Policy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import type { ClusterView, LabelledEntry } from '../rules/types.js';
import { evaluate, type EvaluationContext, type Verdict } from './evaluate.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const NS = 'team-a';

/** A literal view of one namespace; pods undefined means unknown. */
function view(policies: readonly Record<string, unknown>[], pods?: readonly LabelledEntry[]): ClusterView {
  const models: NetworkPolicyModel[] = policies.map((object) => readNetworkPolicy(object, 'default'));
  return {
    networkPolicies: (namespace) => (namespace === NS ? models : []),
    pods: (namespace) => (namespace === NS ? pods : undefined),
    namespaces: () => undefined,
  };
}

function context(clusterView: ClusterView, extra: Partial<EvaluationContext> = {}, policy: Policy = defaultPolicy(RULES)): EvaluationContext {
  return { policy, view: clusterView, now: NOW, defaultNamespace: 'default', ...extra };
}

const deleting = (object: Record<string, unknown>, clusterView: ClusterView, policy?: Policy): Verdict =>
  evaluate(RULES, object, context(clusterView, { deletion: true }, policy));

const rulesOf = (verdict: Verdict): string[] => verdict.violations.map((violation) => violation.rule);
const only = (verdict: Verdict, rule: string) => verdict.violations.filter((violation) => violation.rule === rule);

const WEB_PODS: LabelledEntry[] = [
  { name: 'web-1', labels: { app: 'web' } },
  { name: 'web-2', labels: { app: 'web' } },
  { name: 'db-1', labels: { app: 'db' } },
];

const webPolicy = (name: string, cidr = '10.0.0.0/8') =>
  networkPolicy(name, { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }] });
const DENY_ALL = networkPolicy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] });

describe('evaluate: deleting a NetworkPolicy', () => {
  it('warns that deleting the only policy selecting existing pods leaves them open, naming the count and namespace', () => {
    const web = webPolicy('web');
    const verdict = deleting(web, view([web], WEB_PODS));
    expect(verdict.allowed).toBe(true);
    const [warning, ...rest] = only(verdict, 'pod-not-isolated');
    expect(rest).toEqual([]);
    expect(warning?.action).toBe('warn');
    expect(warning?.finding.summary).toBe('deleting this policy leaves 2 pods of namespace "team-a" open to all ingress (web-1, web-2)');
    expect(warning?.finding.value).toBe('2');
    expect(warning?.finding.details).toEqual({ namespace: NS, direction: 'ingress', pods: 2, podNames: ['web-1', 'web-2'] });
  });

  it('names three pods and counts the rest', () => {
    const pods = ['a', 'b', 'c', 'd'].map((name) => ({ name: `web-${name}`, labels: { app: 'web' } }));
    const web = webPolicy('web');
    const [warning] = only(deleting(web, view([web], pods)), 'pod-not-isolated');
    // The summary drops the list of names to fit its 100 characters; the details keep them.
    expect(warning?.finding.summary).toBe('deleting this policy leaves 4 pods of namespace "team-a" open to all ingress');
    expect(warning?.finding.details).toEqual({ namespace: NS, direction: 'ingress', pods: 4, podNames: ['web-a', 'web-b', 'web-c'] });
  });

  it('allows the deletion of a policy that admits 0.0.0.0/0, running no rule that judges only creation', () => {
    const verdict = deleting(WORLD_INGRESS, view([WORLD_INGRESS], WEB_PODS));
    expect(verdict.allowed).toBe(true);
    expect(verdict.judged).toBe(true);
    expect(rulesOf(verdict)).not.toContain('netpol-world-ingress');
    expect(rulesOf(verdict).sort()).toEqual(['namespace-no-default-deny', 'pod-not-isolated']);
    expect(only(verdict, 'pod-not-isolated')[0]?.finding.summary).toMatch(/^deleting this policy leaves 3 pods of namespace "team-a" open to all ingress/);
    // The same object is refused when created: the deletion is judged differently, not by a weaker policy.
    expect(evaluate(RULES, WORLD_INGRESS, context(view([], WEB_PODS))).allowed).toBe(false);
  });

  it('never refuses a deletion, even when a rule that judges it is set to deny under enforce', () => {
    const policy = compilePolicy({ enforcement: 'enforce', rules: { 'pod-not-isolated': { action: 'deny' }, 'namespace-no-default-deny': { action: 'deny' } } }, RULES);
    const verdict = deleting(WORLD_INGRESS, view([WORLD_INGRESS], WEB_PODS), policy);
    expect(verdict.allowed).toBe(true);
    expect(verdict.failuresDeny).toBe(false);
    expect(verdict.violations.map((violation) => [violation.rule, violation.action, violation.enforcedAction]).sort()).toEqual([
      ['namespace-no-default-deny', 'warn', 'deny'],
      ['pod-not-isolated', 'warn', 'deny'],
    ]);
  });

  it('gives no warning when another policy still selects the pods', () => {
    const web = webPolicy('web');
    const other = webPolicy('web-too', '192.168.0.0/16');
    expect(only(deleting(web, view([web, other], WEB_PODS)), 'pod-not-isolated')).toEqual([]);
    expect(only(deleting(web, view([web, DENY_ALL], WEB_PODS)), 'pod-not-isolated')).toEqual([]);
  });

  it('counts only the pods the deleted policy selected that nothing else selects', () => {
    const all = networkPolicy('all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] });
    const db = networkPolicy('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    const [warning] = only(deleting(all, view([all, db], WEB_PODS)), 'pod-not-isolated');
    expect(warning?.finding.details).toEqual({ namespace: NS, direction: 'ingress', pods: 2, podNames: ['web-1', 'web-2'] });
  });

  it('gives no warning when the deleted policy selected no existing pod, or isolated no ingress', () => {
    const api = networkPolicy('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] });
    expect(only(deleting(api, view([api], WEB_PODS)), 'pod-not-isolated')).toEqual([]);
    const egressOnly = networkPolicy('egress', { podSelector: {}, policyTypes: ['Egress'] });
    expect(only(deleting(egressOnly, view([egressOnly], WEB_PODS)), 'pod-not-isolated')).toEqual([]);
  });

  it('gives no pod-not-isolated warning when the pods are unknown', () => {
    const web = webPolicy('web');
    const verdict = deleting(web, view([web]));
    expect(only(verdict, 'pod-not-isolated')).toEqual([]);
    expect(verdict.failures).toEqual([]);
    expect(verdict.allowed).toBe(true);
  });

  it('warns when the namespace’s last podSelector: {} ingress policy is deleted', () => {
    const verdict = deleting(DENY_ALL, view([DENY_ALL, webPolicy('web')]));
    const [warning, ...rest] = only(verdict, 'namespace-no-default-deny');
    expect(rest).toEqual([]);
    expect(warning?.action).toBe('warn');
    expect(warning?.finding.summary).toBe('deleting this leaves namespace "team-a" with no default deny for Ingress');
    expect(warning?.finding.value).toBe(NS);
    expect(warning?.finding.details).toEqual({ namespace: NS, direction: 'ingress' });
    expect(verdict.allowed).toBe(true);
  });

  it('does not warn of a missing default deny while another one remains, or for a policy that was none', () => {
    const otherDeny = networkPolicy('deny-all-2', { podSelector: {}, policyTypes: ['Ingress'] });
    expect(only(deleting(DENY_ALL, view([DENY_ALL, otherDeny])), 'namespace-no-default-deny')).toEqual([]);
    const web = webPolicy('web');
    expect(only(deleting(web, view([web])), 'namespace-no-default-deny')).toEqual([]);
  });

  it('judges the deletion without the deleted object even when the view still holds a different version of it', () => {
    // The stored policy of the same name selects the pods; the deleted object is taken out by name.
    const stored = webPolicy('web');
    const asDeleted = networkPolicy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    expect(only(deleting(asDeleted, view([stored], WEB_PODS)), 'pod-not-isolated')).toHaveLength(1);
  });
});

describe('evaluate: policies judged together with the view', () => {
  const q1 = networkPolicy('q1', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/2' } }] }] });
  const q2 = networkPolicy('q2', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '64.0.0.0/2' } }] }] });

  it('denies q2 (64.0.0.0/2) when the view holds q1 (0.0.0.0/2) for the same pods, naming q1', () => {
    const verdict = evaluate(RULES, q2, context(view([q1])));
    expect(verdict.allowed).toBe(false);
    const [denial, ...rest] = only(verdict, 'netpol-world-ingress');
    expect(rest).toEqual([]);
    expect(denial?.action).toBe('deny');
    expect(denial?.finding.summary).toContain('"q1"');
    expect(denial?.finding.summary).toMatch(/^ingress with NetworkPolicy "q1" admits the internet to pods app=web/);
    expect(denial?.finding.details?.otherPolicies).toEqual(['q1']);
    expect(denial?.finding.equivalent).toBe('0.0.0.0/1');
  });

  it('counts the existing pods the combined policies open', () => {
    const [denial] = only(evaluate(RULES, q2, context(view([q1], WEB_PODS))), 'netpol-world-ingress');
    expect(denial?.finding.details?.existingPods).toBe(2);
  });

  it('allows q2 alone, and q2 replacing a stored q2', () => {
    expect(evaluate(RULES, q2, context(view([]))).allowed).toBe(true);
    expect(only(evaluate(RULES, q2, context(view([q2]))), 'netpol-world-ingress')).toEqual([]);
    // The stored q1 is replaced by the reviewed object of the same name: nothing to add up.
    const q1AsQ2 = networkPolicy('q1', (q2 as { spec: Record<string, unknown> }).spec);
    expect(only(evaluate(RULES, q1AsQ2, context(view([q1]))), 'netpol-world-ingress')).toEqual([]);
  });

  it('allows q2 when q1 selects other pods', () => {
    const q1Api = networkPolicy('q1', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/2' } }] }] });
    expect(evaluate(RULES, q2, context(view([q1Api]))).allowed).toBe(true);
  });

  it('warns that a Pod is not isolated when its namespace has no policies, and not when one selects it', () => {
    const web = pod('web-3', { containers: [{ name: 'c', image: 'x' }] }, { app: 'web' });
    const [warning, ...rest] = only(evaluate(RULES, web, context(view([]))), 'pod-not-isolated');
    expect(rest).toEqual([]);
    expect(warning?.action).toBe('warn');
    expect(warning?.finding.summary).toMatch(/^no NetworkPolicy selects this pod for Ingress: all ingress is allowed/);
    expect(warning?.finding.details).toEqual({ namespace: NS, direction: 'ingress' });
    expect(only(evaluate(RULES, web, context(view([webPolicy('web')]))), 'pod-not-isolated')).toEqual([]);
    expect(only(evaluate(RULES, web, context(view([webPolicy('web')]), { deletion: true })), 'pod-not-isolated')).toEqual([]);
  });

  it('does not judge a Pod against policies it cannot know', () => {
    const web = pod('web-3', { containers: [{ name: 'c', image: 'x' }] }, { app: 'web' });
    const unknown: ClusterView = { networkPolicies: () => undefined, pods: () => undefined, namespaces: () => undefined };
    expect(only(evaluate(RULES, web, context(unknown)), 'pod-not-isolated')).toEqual([]);
  });
});
