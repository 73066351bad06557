import { describe, expect, it } from 'vitest';
import { HOST_NETWORK_POD, networkPolicy, pod, WORLD_INGRESS } from '../../test/helpers/objects.js';
import { compilePolicy, defaultPolicy, type Policy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { evaluate, NO_VIEW, type EvaluationContext } from './evaluate.js';
import { manifestView } from '../cluster/manifest-view.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function context(policy: Policy = defaultPolicy(RULES), extra: Partial<EvaluationContext> = {}): EvaluationContext {
  return { policy, view: NO_VIEW, now: NOW, defaultNamespace: 'default', ...extra };
}

describe('evaluate', () => {
  it('denies a NetworkPolicy open to the world with the default policy', () => {
    const verdict = evaluate(RULES, WORLD_INGRESS, context());
    expect(verdict.allowed).toBe(false);
    expect(verdict.violations.map((v) => [v.rule, v.action])).toEqual([['netpol-world-ingress', 'deny']]);
  });

  it('turns every deny into a warning under audit enforcement', () => {
    const verdict = evaluate(RULES, WORLD_INGRESS, context(compilePolicy({ enforcement: 'audit' }, RULES)));
    expect(verdict.allowed).toBe(true);
    expect(verdict.violations.map((v) => v.action)).toEqual(['warn']);
  });

  it('honours a per-rule action and skips rules that are off', () => {
    const policy = compilePolicy({ rules: { 'netpol-world-ingress': { action: 'audit' }, 'pod-host-network': { action: 'off' } } }, RULES);
    expect(evaluate(RULES, WORLD_INGRESS, context(policy)).violations.map((v) => v.action)).toEqual(['audit']);
    expect(evaluate(RULES, HOST_NETWORK_POD, context(policy)).violations.map((v) => v.rule)).not.toContain('pod-host-network');
  });

  it('waives a finding by namespace glob and says which exemption did', () => {
    const policy = compilePolicy({
      exemptions: [{ name: 'legacy', rules: ['netpol-world-ingress'], namespaces: ['team-*'], reason: 'JIRA-1' }],
    }, RULES);
    const verdict = evaluate(RULES, WORLD_INGRESS, context(policy));
    expect(verdict.allowed).toBe(true);
    expect(verdict.waived).toEqual([expect.objectContaining({ rule: 'netpol-world-ingress', exemption: 'legacy', reason: 'JIRA-1' })]);
  });

  it('applies an exemption only to the rules it names', () => {
    const policy = compilePolicy({ exemptions: [{ name: 'x', rules: ['pod-host-port'], namespaces: ['*'], reason: 'r' }] }, RULES);
    expect(evaluate(RULES, WORLD_INGRESS, context(policy)).allowed).toBe(false);
  });

  it('matches an exemption by object labels', () => {
    const policy = compilePolicy({
      exemptions: [{ name: 'edge', rules: ['netpol-world-ingress'], objectSelector: { matchLabels: { exposure: 'public' } }, reason: 'r' }],
    }, RULES);
    const labelled = networkPolicy('edge', (WORLD_INGRESS as { spec: Record<string, unknown> }).spec, 'team-a', { exposure: 'public' });
    expect(evaluate(RULES, labelled, context(policy)).allowed).toBe(true);
    expect(evaluate(RULES, WORLD_INGRESS, context(policy)).allowed).toBe(false);
  });

  it('matches user and group exemptions only when a requester is known', () => {
    const policy = compilePolicy({
      exemptions: [{ name: 'ops', rules: ['pod-host-network'], usernames: ['alice'], groups: ['platform'], reason: 'r' }],
    }, RULES);
    const hostNetworkOnly = (requester?: { username: string; groups: string[] }) =>
      evaluate(RULES, HOST_NETWORK_POD, context(policy, requester ? { requester } : {})).violations.filter((v) => v.rule === 'pod-host-network');
    expect(hostNetworkOnly()).toHaveLength(1);
    expect(hostNetworkOnly({ username: 'alice', groups: [] })).toHaveLength(0);
    expect(hostNetworkOnly({ username: 'bob', groups: ['platform'] })).toHaveLength(0);
    expect(hostNetworkOnly({ username: 'bob', groups: ['dev'] })).toHaveLength(1);
  });

  it('reports an expired exemption with the finding it no longer waives', () => {
    const policy = compilePolicy({
      exemptions: [{ name: 'old', rules: ['netpol-world-ingress'], namespaces: ['team-a'], reason: 'r', expires: '2026-05-31' }],
    }, RULES);
    const verdict = evaluate(RULES, WORLD_INGRESS, context(policy));
    expect(verdict.allowed).toBe(false);
    expect(verdict.violations[0]?.expiredExemption).toEqual({ name: 'old', expires: '2026-05-31' });
  });

  it('keeps a date-only exemption valid through the whole named day (UTC)', () => {
    const policy = compilePolicy({
      exemptions: [{ name: 'today', rules: ['netpol-world-ingress'], namespaces: ['team-a'], reason: 'r', expires: '2026-06-01' }],
    }, RULES);
    expect(evaluate(RULES, WORLD_INGRESS, context(policy)).allowed).toBe(true);
  });

  it('waives up to the expiry instant of a timed exemption and not from it on', () => {
    const policy = compilePolicy({
      exemptions: [{ name: 'noon', rules: ['netpol-world-ingress'], namespaces: ['team-a'], reason: 'r', expires: '2026-06-01T12:00:00Z' }],
    }, RULES);
    const at = (now: number) => evaluate(RULES, WORLD_INGRESS, context(policy, { now }));
    expect(at(NOW - 1).allowed).toBe(true);
    expect(at(NOW - 1).waived).toEqual([expect.objectContaining({ exemption: 'noon', expires: '2026-06-01T12:00:00Z' })]);
    expect(at(NOW).allowed).toBe(false);
    expect(at(NOW).violations[0]?.expiredExemption).toEqual({ name: 'noon', expires: '2026-06-01T12:00:00Z' });
  });

  it('ends a date-only exemption at the end of the named day (UTC), not before', () => {
    const policy = compilePolicy({
      exemptions: [{ name: 'day', rules: ['netpol-world-ingress'], namespaces: ['team-a'], reason: 'r', expires: '2026-06-01' }],
    }, RULES);
    const endOfDay = Date.parse('2026-06-02T00:00:00Z');
    expect(evaluate(RULES, WORLD_INGRESS, context(policy, { now: endOfDay - 1 })).allowed).toBe(true);
    expect(evaluate(RULES, WORLD_INGRESS, context(policy, { now: endOfDay })).allowed).toBe(false);
  });

  it('keeps the action enforcement would take on a finding that audit enforcement softened', () => {
    const [softened] = evaluate(RULES, WORLD_INGRESS, context(compilePolicy({ enforcement: 'audit' }, RULES))).violations;
    expect(softened).toMatchObject({ action: 'warn', enforcedAction: 'deny' });
    const [enforced] = evaluate(RULES, WORLD_INGRESS, context()).violations;
    expect(enforced).not.toHaveProperty('enforcedAction');
    const warned = evaluate(RULES, WORLD_INGRESS, context(compilePolicy({ enforcement: 'audit', rules: { 'netpol-world-ingress': { action: 'warn' } } }, RULES)));
    expect(warned.violations[0]).not.toHaveProperty('enforcedAction');
  });

  it('runs only the rules it is given', () => {
    const only = RULES.filter((rule) => rule.id === 'pod-host-network');
    expect(evaluate(only, WORLD_INGRESS, context()).violations).toEqual([]);
    expect(evaluate(only, HOST_NETWORK_POD, context()).violations.map((v) => v.rule)).toEqual(['pod-host-network']);
  });

  it('judges pod isolation against the view', () => {
    const web = pod('web', { containers: [{ name: 'c', image: 'x' }] }, { app: 'web' });
    const denyAll = networkPolicy('deny', { podSelector: {}, policyTypes: ['Ingress'] });
    const isolatedRule = (objects: Record<string, unknown>[]) =>
      evaluate(RULES, web, context(defaultPolicy(RULES), { view: manifestView(objects, 'default') })).violations.filter((v) => v.rule === 'pod-not-isolated');
    expect(isolatedRule([web])).toHaveLength(1);
    expect(isolatedRule([web, denyAll])).toHaveLength(0);
  });

  it('marks kinds that no rule judges, and NetworkPolicies of other API groups, as not judged', () => {
    const calico = { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: {} };
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    for (const object of [calico, configMap]) {
      const verdict = evaluate(RULES, object, context());
      expect(verdict).toMatchObject({ judged: false, allowed: true, violations: [] });
    }
  });
});

describe('a rule that throws', () => {
  const throwingView = { networkPolicies: () => { throw new Error('view exploded'); } };
  const web = pod('web', { containers: [{ name: 'c', image: 'x' }] }, { app: 'web' });

  it('is recorded as a failure and denies when onError is deny', () => {
    const verdict = evaluate(RULES, web, context(defaultPolicy(RULES), { view: throwingView }));
    expect(verdict.failures.map((f) => f.rule)).toEqual(['pod-not-isolated']);
    expect(verdict.failures[0]?.message).toContain('view exploded');
    expect(verdict.allowed).toBe(false);
  });

  it('allows when onError is allow, and the other rules still run', () => {
    const verdict = evaluate(RULES, HOST_NETWORK_POD, context(compilePolicy({ onError: 'allow' }, RULES), { view: throwingView }));
    expect(verdict.failures).toHaveLength(1);
    expect(verdict.violations.map((v) => v.rule)).toContain('pod-host-network');
    const clean = evaluate(RULES, web, context(compilePolicy({ onError: 'allow' }, RULES), { view: throwingView }));
    expect(clean.allowed).toBe(true);
  });

  it('never denies under audit enforcement', () => {
    expect(evaluate(RULES, web, context(compilePolicy({ enforcement: 'audit' }, RULES), { view: throwingView })).allowed).toBe(true);
  });
});

it('runs every registered rule against the default policy settings', () => {
  expect([...defaultPolicy(RULES).rules.keys()]).toEqual(RULES.map((rule) => rule.id));
});
