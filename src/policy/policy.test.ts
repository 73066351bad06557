import { RULES } from '../rules/index.js';
import { describe, expect, it } from 'vitest';
import { GuardrailsError } from '../errors.js';
import { compilePolicy, defaultPolicy, parsePolicy } from './policy.js';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof GuardrailsError && error.code === 'KG_BAD_POLICY') return error.problems;
    throw error;
  }
  throw new Error('expected a KG_BAD_POLICY error');
}

describe('the policy file', () => {
  it('defaults to enforce, onError deny and each rule’s default action', () => {
    expect(defaultPolicy(RULES).enforcement).toBe('enforce');
    expect(defaultPolicy(RULES).onError).toBe('deny');
    expect(defaultPolicy(RULES).rules.get('netpol-world-ingress')?.action).toBe('deny');
    expect(defaultPolicy(RULES).rules.get('netpol-world-egress')?.action).toBe('warn');
    expect(defaultPolicy(RULES).rules.get('required-labels')?.params).toEqual({ pods: [{ key: 'app' }], networkPolicies: [], namespaces: [] });
  });

  it('is frozen once compiled', () => {
    const policy = compilePolicy({ enforcement: 'audit' }, RULES);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules.get('netpol-broad-cidr'))).toBe(true);
  });

  it('reads rule parameters and fills in the rest', () => {
    const policy = parsePolicy('rules:\n  netpol-broad-cidr:\n    ipv4Prefix: 16\n', RULES);
    expect(policy.rules.get('netpol-broad-cidr')).toEqual({ action: 'warn', params: { ipv4Prefix: 16, ipv6Prefix: 32 } });
  });

  it.each([
    ['an unknown top-level key', 'enforcment: audit\n', /Unrecognized key: "enforcment"/],
    ['a bad enforcement value', 'enforcement: strict\n', /^enforcement: /],
    ['an unknown rule id', 'rules:\n  netpol-wrld-ingress: {action: deny}\n', /^rules\.netpol-wrld-ingress: unknown rule \(known rules: /],
    ['a bad action', 'rules:\n  pod-host-port: {action: block}\n', /^rules\.pod-host-port\.action: /],
    ['an unknown rule parameter', 'rules:\n  pod-host-port: {allowed: []}\n', /^rules\.pod-host-port: Unrecognized key: "allowed"/],
    ['a parameter of the wrong type', 'rules:\n  netpol-broad-cidr: {ipv4Prefix: "8"}\n', /^rules\.netpol-broad-cidr\.ipv4Prefix: /],
    ['a bad regular expression', 'rules:\n  required-labels:\n    pods: [{key: app, pattern: "(("}]\n', /^rules\.required-labels\.pods\[0\]\.pattern: must be a valid regular expression/],
    ['an exemption without a reason', 'exemptions:\n  - {name: x, rules: [pod-host-port], namespaces: [a]}\n', /^exemptions\[0\]\.reason: /],
    ['an exemption for an unknown rule', 'exemptions:\n  - {name: x, rules: [nope], namespaces: [a], reason: r}\n', /^exemptions\[0\]\.rules: unknown rule "nope"/],
    ['an exemption with no scope', 'exemptions:\n  - {name: x, rules: [pod-host-port], reason: r}\n', /^exemptions\[0\]: name at least one of/],
    ['an exemption with a bad date', 'exemptions:\n  - {name: x, rules: [pod-host-port], namespaces: [a], reason: r, expires: 2027-02-30x}\n', /^exemptions\[0\]\.expires: /],
    ['an exemption with an impossible date', 'exemptions:\n  - {name: x, rules: [pod-host-port], namespaces: [a], reason: r, expires: 2027-13-01}\n', /^exemptions\[0\]\.expires: not a real date/],
    ['invalid YAML', 'rules: [\n', /^line \d+: /],
    ['a duplicate key', 'enforcement: audit\nenforcement: enforce\n', /^line 2: /],
  ])('rejects %s with a message that names the key', (_case, text, pattern) => {
    const problems = problemsOf(() => parsePolicy(text, RULES));
    expect(problems.some((problem) => pattern.test(problem))).toBe(true);
  });

  it('accepts an empty file as the default policy', () => {
    expect(parsePolicy('', RULES).enforcement).toBe('enforce');
  });
});

describe('one notion of the internet', () => {
  it('defaults to half of the public space in both directions', () => {
    expect(defaultPolicy(RULES).internet).toEqual({ ingress: 0.5, egress: 0.5 });
  });

  it('takes the policy-wide share, and a world rule’s own share for its direction only', () => {
    const policy = compilePolicy({ internet: { minPublicShare: 0.8 }, rules: { 'netpol-world-egress': { minPublicShare: 0.3 } } }, RULES);
    expect(policy.internet).toEqual({ ingress: 0.8, egress: 0.3 });
  });

  it('has no share for a direction whose world rule is off, so the broad rule reports every wide block there', () => {
    expect(compilePolicy({ rules: { 'netpol-world-ingress': { action: 'off' } } }, RULES).internet).toEqual({ ingress: undefined, egress: 0.5 });
  });

  it('has no share for a direction when the rule set has no world rule for it', () => {
    expect(compilePolicy({}, RULES.filter((rule) => rule.id !== 'netpol-world-egress')).internet).toEqual({ ingress: 0.5, egress: undefined });
  });

  it('refuses a share outside (0, 1], naming the key', () => {
    expect(problemsOf(() => compilePolicy({ internet: { minPublicShare: 0 } }, RULES))).toEqual([expect.stringMatching(/^internet\.minPublicShare: /)]);
    expect(problemsOf(() => compilePolicy({ internet: { minPublicShare: 1.5 } }, RULES))).toEqual([expect.stringMatching(/^internet\.minPublicShare: /)]);
    expect(problemsOf(() => compilePolicy({ internet: { share: 0.5 } }, RULES))).toEqual([expect.stringMatching(/^internet: /)]);
  });
});

describe('self-service exemptions', () => {
  const exemption = { name: 'x', rules: ['pod-host-network'], reason: 'r' };

  it('warns about an exemption that matches only the object’s own labels', () => {
    const policy = compilePolicy({ exemptions: [{ ...exemption, objectSelector: { matchLabels: { exempt: 'yes' } } }] }, RULES);
    expect(policy.warnings).toEqual([expect.stringMatching(/^exemptions\[0\] \("x"\) matches only the object's own labels/)]);
  });

  it('warns about namespace globs that no requester narrows', () => {
    const policy = compilePolicy({ exemptions: [{ ...exemption, namespaces: ['sandbox-*', 'edge'] }] }, RULES);
    expect(policy.warnings).toEqual([expect.stringMatching(/^exemptions\[0\] \("x"\) matches namespaces by the glob "sandbox-\*"/)]);
  });

  it('does not warn about named namespaces, or globs and labels narrowed by who asks', () => {
    const safe = [
      { ...exemption, namespaces: ['ingress-nginx'] },
      { ...exemption, namespaces: ['edge-*'], groups: ['platform'] },
      { ...exemption, objectSelector: { matchLabels: { a: 'b' } }, namespaces: ['monitoring'] },
    ];
    expect(compilePolicy({ exemptions: safe }, RULES).warnings).toEqual([]);
  });

  it('refuses workloadPods without usernames or groups', () => {
    expect(problemsOf(() => compilePolicy({ exemptions: [{ ...exemption, namespaces: ['a'], workloadPods: true }] }, RULES))).toEqual([
      expect.stringMatching(/^exemptions\[0\]\.workloadPods: goes with usernames or groups/),
    ]);
  });
});
