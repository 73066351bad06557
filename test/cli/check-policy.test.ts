/**
 * `--policy FILE`: audit enforcement, rules switched off, exemptions by namespace glob,
 * expired exemptions, and --namespace deciding which exemption applies.
 */
import { describe, expect, it } from 'vitest';
import { FIXTURES, parseJsonReport, resultNamed, rulesOf, ruleFixture, runCli } from './helpers.js';

const POLICIES = `${FIXTURES}/policies`;
const WORLD = ruleFixture('netpol-world-ingress', 'fail', 'cidr-all-ipv4');
const HOST_NETWORK = ruleFixture('pod-host-network', 'fail', 'pod-host-network');
const MIXED = `${FIXTURES}/mixed-documents.yaml`;
const NO_NAMESPACE = `${FIXTURES}/no-namespace.yaml`;

describe('kube-guardrails check --policy', () => {
  it('with enforcement: audit, reports a denied object as a warning and exits 0', async () => {
    const result = await runCli(['check', '--output', 'json', '--policy', `${POLICIES}/audit.yaml`, WORLD]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const report = parseJsonReport(result.stdout);
    expect(resultNamed(report, 'allow-world')).toMatchObject({
      allowed: true,
      violations: [{ rule: 'netpol-world-ingress', action: 'warn', path: 'spec.ingress[0].from[0].ipBlock.cidr' }],
    });
    expect(report.summary).toMatchObject({ denied: 0, deny: 0, warn: 1, allowed: true });
  });

  it('with a rule set to off, drops that rule’s findings and keeps the other rules’ verdicts', async () => {
    const result = await runCli(['check', '--output', 'json', '--policy', `${POLICIES}/host-network-off.yaml`, HOST_NETWORK, WORLD]);
    expect(result.code).toBe(1);
    const report = parseJsonReport(result.stdout);
    const agent = resultNamed(report, 'node-agent');
    expect(agent.allowed).toBe(true);
    expect(rulesOf(agent)).not.toContain('pod-host-network');
    expect(resultNamed(report, 'allow-world')).toMatchObject({ allowed: false, violations: [{ rule: 'netpol-world-ingress', action: 'deny' }] });
  });

  it('warns on stderr about a self-service exemption (a namespace glob no requester narrows), and judges on', async () => {
    const result = await runCli(['check', '--output', 'json', '--policy', `${POLICIES}/exemptions.yaml`, WORLD]);
    expect(result.stderr).toBe(
      `kube-guardrails: warning: policy ${POLICIES}/exemptions.yaml: exemptions[0] ("team-edge") matches namespaces by the glob "team-*", so anyone who may create a namespace with a matching name is exempt; list the namespaces by name, or add usernames or groups\n`,
    );
    expect(parseJsonReport(result.stdout).summary).toMatchObject({ waived: 1 });
  });

  it('waives findings in namespaces matching an exemption glob, lists them under waived, and does not waive after expiry', async () => {
    const result = await runCli(['check', '--output', 'json', '--policy', `${POLICIES}/exemptions.yaml`, WORLD, HOST_NETWORK, MIXED]);
    expect(result.code).toBe(1);
    const report = parseJsonReport(result.stdout);

    // team-a matches "team-*": waived, with the exemption and its reason.
    expect(resultNamed(report, 'allow-world')).toMatchObject({
      namespace: 'team-a',
      allowed: true,
      violations: [],
      waived: [{ rule: 'netpol-world-ingress', path: 'spec.ingress[0].from[0].ipBlock.cidr', exemption: 'team-edge', reason: 'Team namespaces sit behind the edge firewall (SEC-1).' }],
    });
    // shop does not match the glob.
    expect(resultNamed(report, 'open-door')).toMatchObject({ namespace: 'shop', allowed: false, waived: [] });
    expect(rulesOf(resultNamed(report, 'open-door'))).toContain('netpol-world-ingress');
    // The legacy-agents exemption expired on 2020-01-31: the finding stands, and says so.
    expect(resultNamed(report, 'node-agent')).toMatchObject({
      allowed: false,
      waived: [],
      violations: expect.arrayContaining([
        expect.objectContaining({ rule: 'pod-host-network', action: 'deny', expiredExemption: { name: 'legacy-agents', expires: '2020-01-31' } }),
      ]) as unknown,
    });
    expect(report.summary.waived).toBe(1);
  });

  it('applies --namespace to objects without one before matching exemptions', async () => {
    const result = await runCli(['check', '--output', 'json', '--policy', `${POLICIES}/exemptions.yaml`, '--namespace', 'team-q', NO_NAMESPACE]);
    expect(result.code).toBe(0);
    expect(resultNamed(parseJsonReport(result.stdout), 'no-namespace-world')).toMatchObject({
      namespace: 'team-q',
      allowed: true,
      violations: [],
      waived: [{ rule: 'netpol-world-ingress', exemption: 'team-edge' }],
    });
  });

  it('puts objects without a namespace in "default" without --namespace, where the team-* exemption does not apply', async () => {
    const result = await runCli(['check', '--output', 'json', '--policy', `${POLICIES}/exemptions.yaml`, NO_NAMESPACE]);
    expect(result.code).toBe(1);
    expect(resultNamed(parseJsonReport(result.stdout), 'no-namespace-world')).toMatchObject({
      namespace: 'default',
      allowed: false,
      waived: [],
      violations: [{ rule: 'netpol-world-ingress', action: 'deny' }],
    });
  });
});
