import { describe, expect, it } from 'vitest';
import { HOST_NETWORK_POD, networkPolicy, pod, WORLD_INGRESS } from '../../test/helpers/objects.js';
import { compilePolicy, defaultPolicy, type Policy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { evaluate, MAX_FINDINGS_PER_RULE, NO_VIEW, type EvaluationContext } from './evaluate.js';
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
  const throwingView = { ...NO_VIEW, networkPolicies: () => { throw new Error('view exploded'); } };
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

describe('evaluate: findings kept per rule', () => {
  const worldPeers = (count: number, first = 0) =>
    networkPolicy('many', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: Array.from({ length: count }, (_, i) => ({ ipBlock: { cidr: `${first + i}.0.0.0/0` } })) }],
    });

  it(`keeps ${MAX_FINDINGS_PER_RULE} findings of a rule, the last of them counting the rest under their common path`, () => {
    const verdict = evaluate(RULES, worldPeers(100), context());
    const world = verdict.violations.filter((v) => v.rule === 'netpol-world-ingress');
    expect(world).toHaveLength(MAX_FINDINGS_PER_RULE);
    expect(world.slice(0, -1).map((v) => v.finding.value)).toEqual(Array.from({ length: MAX_FINDINGS_PER_RULE - 1 }, (_, i) => `${i}.0.0.0/0`));
    const rest = world.at(-1)?.finding;
    expect(rest?.path).toEqual(['spec', 'ingress', 0, 'from']);
    expect(rest?.details).toEqual({ omittedFindings: 100 - (MAX_FINDINGS_PER_RULE - 1) });
    expect(rest?.summary).toBe('81 more findings of this rule, not listed one by one');
    expect(world.at(-1)?.action).toBe('deny');
    expect(verdict.allowed).toBe(false);
  });

  it('keeps every finding up to the cap', () => {
    const world = evaluate(RULES, worldPeers(MAX_FINDINGS_PER_RULE), context()).violations.filter((v) => v.rule === 'netpol-world-ingress');
    expect(world.map((v) => v.finding.details?.omittedFindings)).toEqual(Array.from({ length: MAX_FINDINGS_PER_RULE }, () => undefined));
  });

  it('marks the count preexisting only when the stored object had every finding it counts', () => {
    const same = evaluate(RULES, worldPeers(100), context(undefined, { previous: worldPeers(100) }));
    expect(same.violations.every((v) => v.preexisting === true)).toBe(true);
    expect(same.allowed).toBe(true);
    // The stored object lacked the last block: the count is new, so it still refuses.
    const grown = evaluate(RULES, worldPeers(100), context(undefined, { previous: worldPeers(99) }));
    expect(grown.violations.at(-1)?.preexisting).toBeUndefined();
    expect(grown.violations.slice(0, -1).every((v) => v.preexisting === true)).toBe(true);
    expect(grown.allowed).toBe(false);
  });

  it('speaks once for a direction with many rules that admit everything', () => {
    const spec = { podSelector: {}, policyTypes: ['Ingress'], ingress: Array.from({ length: 100_000 }, () => ({})) };
    const world = evaluate(RULES, networkPolicy('open', spec), context()).violations.filter((v) => v.rule === 'netpol-world-ingress');
    expect(world.map((v) => v.finding.summary)).toEqual(['100,000 ingress rules have no `from` (rules 0, 1, 2, …): they admit every source']);
    expect(world[0]?.finding.path).toEqual(['spec', 'ingress']);
    expect(world[0]?.finding.details).toMatchObject({ openRules: 100_000, publicIpv4Share: 1 });
  });
});
