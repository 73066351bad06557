import { describe, expect, it } from 'vitest';
import { networkPolicy } from '../../../test/helpers/objects.js';
import { readSubject, type SubjectOf } from '../../core/kubernetes/subject.js';
import { defaultPolicy } from '../../policy/policy.js';
import { NO_VIEW } from '../../engine/evaluate.js';
import { netpolBroadCidr } from '../netpol-broad-cidr/netpol-broad-cidr.js';
import { netpolWorldEgress } from '../netpol-world-egress/netpol-world-egress.js';
import { netpolWorldIngress } from '../netpol-world-ingress/netpol-world-ingress.js';
import type { Finding, Rule } from '../types.js';

const RULE_SET = [netpolBroadCidr, netpolWorldEgress, netpolWorldIngress];
const POLICY = defaultPolicy(RULE_SET);

function findings(rule: Rule, spec: Record<string, unknown>, internet = POLICY.internet): readonly Finding[] {
  const subject = readSubject(networkPolicy('p', spec), 'default') as SubjectOf<'NetworkPolicy'>;
  return rule.check(subject, { params: POLICY.rules.get(rule.id)?.params, view: NO_VIEW, internet });
}

const ingress = (...peers: Record<string, unknown>[]) => ({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: peers }] });
const block = (cidr: string, except?: string[]) => ({ ipBlock: { cidr, ...(except === undefined ? {} : { except }) } });

describe('the world rules in words and data', () => {
  it('takes an unparseable cidr as every address, and says so', () => {
    const [finding] = findings(netpolWorldIngress, ingress(block('not-a-cidr')));
    expect(finding).toMatchObject({ value: 'not-a-cidr', equivalent: '0.0.0.0/0, ::/0' });
    expect(finding?.summary).toBe('ingress rule 0 admits "not-a-cidr" (unparseable, taken as every address): the internet');
  });

  it('lists up to two excepts and counts more', () => {
    const [two] = findings(netpolWorldIngress, ingress(block('0.0.0.0/0', ['10.0.0.0/8', '192.168.0.0/16'])));
    // The share would pass 100 characters: the summary keeps the value and drops it.
    expect(two?.summary).toBe('ingress rule 0 admits "0.0.0.0/0" except 10.0.0.0/8, 192.168.0.0/16: the internet');
    const [three] = findings(netpolWorldIngress, ingress(block('0.0.0.0/0', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])));
    expect(three?.summary).toBe('ingress rule 0 admits "0.0.0.0/0" except 3 blocks: the internet (100% of public IPv4)');
    expect(three?.details).toMatchObject({ rule: 0, excepts: 3 });
  });

  it('gives the meaning of a block spelled otherwise, and none for a canonical one', () => {
    expect(findings(netpolWorldIngress, ingress(block('1.2.3.4/0')))[0]).toMatchObject({ value: '1.2.3.4/0', equivalent: '0.0.0.0/0' });
    expect(findings(netpolWorldIngress, ingress(block('0.0.0.0/0')))[0]).not.toHaveProperty('equivalent');
  });

  it('reports blocks that only together reach the share once, listing three and counting the rest', () => {
    const eighths = ['0.0.0.0/3', '32.0.0.0/3', '64.0.0.0/3', '96.0.0.0/3', '128.0.0.0/3'];
    const [finding, ...rest] = findings(netpolWorldIngress, ingress(...eighths.map((cidr) => block(cidr))));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ path: ['spec', 'ingress'], value: '0.0.0.0/3, 32.0.0.0/3, 64.0.0.0/3 and 2 more blocks', equivalent: '0.0.0.0/1, 128.0.0.0/3' });
    expect(finding?.details).toMatchObject({ blocks: 5, rules: ['0'] });
  });

  it('names the missing list of an open rule in each direction', () => {
    expect(findings(netpolWorldEgress, { podSelector: {}, policyTypes: ['Egress'], egress: [{}] })[0]?.summary).toBe('egress rule 0 has no `to`: it admits every destination, the internet');
    expect(findings(netpolWorldIngress, { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] })[0]?.summary).toBe('ingress rule 0 has no `from`: it admits every source, the internet');
  });

  it('judges at the policy’s share, and at exactly the share', () => {
    const half = ingress(block('0.0.0.0/1'));
    expect(findings(netpolWorldIngress, half, { ingress: 0.9, egress: 0.9 })).toEqual([]);
    expect(findings(netpolWorldIngress, half, { ingress: 0.5, egress: 0.5 })).toHaveLength(1);
    expect(findings(netpolWorldIngress, ingress(block('0.0.0.0/0')), { ingress: 1, egress: 1 })).toHaveLength(1);
  });
});

describe('the broad-CIDR rule beside them', () => {
  it('reports a wide block below the share, and not a block the world rule reports', () => {
    const half = ingress(block('0.0.0.0/1'));
    expect(findings(netpolBroadCidr, half, { ingress: 0.5, egress: 0.5 })).toEqual([]);
    const [broad] = findings(netpolBroadCidr, half, { ingress: 0.9, egress: 0.9 });
    expect(broad).toMatchObject({ path: ['spec', 'ingress', 0, 'from', 0, 'ipBlock', 'cidr'], value: '0.0.0.0/1' });
    expect(broad?.details).toMatchObject({ family: 4, limitPrefix: 8, publicAddresses: '2092957696' });
  });

  it('reports every wide block when no world rule runs in that direction', () => {
    expect(findings(netpolBroadCidr, ingress(block('0.0.0.0/0')), { ingress: undefined, egress: 0.5 })).toHaveLength(1);
  });

  it('stays silent at exactly the limit and reports one address past it', () => {
    expect(findings(netpolBroadCidr, ingress(block('52.0.0.0/8')))).toEqual([]);
    expect(findings(netpolBroadCidr, ingress(block('52.0.0.0/7')))).toHaveLength(1);
  });
});
