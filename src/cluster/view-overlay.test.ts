import { describe, expect, it } from 'vitest';
import { networkPolicy, pod } from '../../test/helpers/objects.js';
import { readNetworkPolicy, type NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import { readSubject } from '../core/kubernetes/subject.js';
import type { ClusterView, LabelledEntry } from '../rules/types.js';
import { manifestView } from './manifest-view.js';
import { viewWith, viewWithout } from './view-overlay.js';

const subjectOf = (object: Record<string, unknown>) => readSubject(object, 'default');
const policyObject = (name: string, namespace: string, cidr = '10.0.0.0/8') =>
  networkPolicy(name, { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr } }] }] }, namespace);
const policy = (name: string, namespace: string, cidr?: string): NetworkPolicyModel => readNetworkPolicy(policyObject(name, namespace, cidr), 'default');
const cidrsOf = (policies: readonly NetworkPolicyModel[] | undefined) =>
  policies?.map((p) => [p.name, p.rules.ingress.flatMap((rule) => rule.peers.map((peer) => peer.ipBlock?.cidr))]);

const namespaceObject = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const container = { containers: [{ name: 'c', image: 'x' }] };
const deployment = (name: string, labels: Record<string, string>, namespace = 'team-a') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: container } },
});

interface Calls {
  networkPolicies: string[];
  pods: string[];
  namespaces: number;
}

/** A literal view over fixed answers, counting what is asked of it. */
function literalView(answers: {
  policies?: Record<string, readonly NetworkPolicyModel[]>;
  pods?: Record<string, readonly LabelledEntry[]>;
  namespaces?: readonly LabelledEntry[];
}): { view: ClusterView; calls: Calls } {
  const calls: Calls = { networkPolicies: [], pods: [], namespaces: 0 };
  const view: ClusterView = {
    networkPolicies: (namespace) => {
      calls.networkPolicies.push(namespace);
      return answers.policies?.[namespace];
    },
    pods: (namespace) => {
      calls.pods.push(namespace);
      return answers.pods?.[namespace];
    },
    namespaces: () => {
      calls.namespaces++;
      return answers.namespaces;
    },
  };
  return { view, calls };
}

const POLICIES = {
  'team-a': [policy('deny', 'team-a'), policy('allow', 'team-a', '10.1.0.0/16')],
  'team-b': [policy('allow', 'team-b', '10.2.0.0/16')],
};
const PODS = {
  'team-a': [
    { name: 'web-1', labels: { app: 'web' } },
    { name: 'db-1', labels: { app: 'db' } },
  ],
  'team-b': [{ name: 'web-1', labels: { app: 'web' } }],
};
const NAMESPACES = [
  { name: 'team-a', labels: { team: 'a' } },
  { name: 'team-b', labels: { team: 'b' } },
];

const base = () => literalView({ policies: POLICIES, pods: PODS, namespaces: NAMESPACES });

describe('viewWith: a NetworkPolicy', () => {
  it('replaces the stored policy of the same name in its namespace only', () => {
    const { view } = base();
    const placed = viewWith(view, subjectOf(policyObject('allow', 'team-a', '192.168.0.0/16')));
    expect(cidrsOf(placed.networkPolicies('team-a'))).toEqual([
      ['deny', ['10.0.0.0/8']],
      ['allow', ['192.168.0.0/16']],
    ]);
    expect(cidrsOf(placed.networkPolicies('team-b'))).toEqual([['allow', ['10.2.0.0/16']]]);
    expect(placed.networkPolicies('team-b')).toBe(POLICIES['team-b']);
  });

  it('places the very model read from the subject', () => {
    const subject = subjectOf(policyObject('allow', 'team-a', '192.168.0.0/16'));
    if (subject.judgedAs !== 'NetworkPolicy') throw new Error('expected a NetworkPolicy subject');
    expect(viewWith(base().view, subject).networkPolicies('team-a')).toContain(subject.networkPolicy);
  });

  it('adds a policy of a new name, and takes a namespace the object names none of as the default one', () => {
    const { view } = base();
    expect(cidrsOf(viewWith(view, subjectOf(policyObject('new', 'team-b', '10.9.0.0/16'))).networkPolicies('team-b'))).toEqual([
      ['allow', ['10.2.0.0/16']],
      ['new', ['10.9.0.0/16']],
    ]);
    const noNamespace = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: {} } };
    const placed = viewWith(literalView({ policies: { default: [] } }).view, subjectOf(noNamespace));
    expect(placed.networkPolicies('default')?.map((p) => p.name)).toEqual(['x']);
  });

  it('leaves pods and namespaces as they are', () => {
    const placed = viewWith(base().view, subjectOf(policyObject('allow', 'team-a')));
    expect(placed.pods('team-a')).toBe(PODS['team-a']);
    expect(placed.namespaces()).toBe(NAMESPACES);
  });

  it('keeps an unknown namespace unknown', () => {
    const placed = viewWith(literalView({}).view, subjectOf(policyObject('allow', 'team-a')));
    expect(placed.networkPolicies('team-a')).toBeUndefined();
    expect(placed.pods('team-a')).toBeUndefined();
    expect(placed.namespaces()).toBeUndefined();
  });

  it('builds the subject’s namespace once, and passes the others through to the view under it', () => {
    const { view, calls } = base();
    const placed = viewWith(view, subjectOf(policyObject('allow', 'team-a')));
    placed.networkPolicies('team-a');
    placed.networkPolicies('team-a');
    placed.networkPolicies('team-b');
    placed.networkPolicies('team-b');
    expect(calls.networkPolicies).toEqual(['team-a', 'team-b', 'team-b']);
    expect(placed.networkPolicies('team-a')).toBe(placed.networkPolicies('team-a'));
  });

  it('works over a manifest view, whose namespaces without policies have none', () => {
    const view = manifestView([policyObject('allow', 'team-a'), policyObject('other', 'team-a')], 'default');
    const placed = viewWith(view, subjectOf(policyObject('allow', 'team-a', '172.16.0.0/12')));
    expect(cidrsOf(placed.networkPolicies('team-a'))).toEqual([
      ['other', ['10.0.0.0/8']],
      ['allow', ['172.16.0.0/12']],
    ]);
    expect(viewWith(view, subjectOf(policyObject('q', 'team-c'))).networkPolicies('team-c')?.map((p) => p.name)).toEqual(['q']);
    expect(placed.pods('team-a')).toBeUndefined();
  });
});

describe('viewWithout: a NetworkPolicy', () => {
  it('removes the policy of that name from its namespace only', () => {
    const { view } = base();
    const removed = viewWithout(view, subjectOf(policyObject('allow', 'team-a')));
    expect(removed.networkPolicies('team-a')?.map((p) => p.name)).toEqual(['deny']);
    expect(removed.networkPolicies('team-b')?.map((p) => p.name)).toEqual(['allow']);
    expect(view.networkPolicies('team-a')?.map((p) => p.name)).toEqual(['deny', 'allow']);
  });

  it('removes nothing for a name it does not hold, and keeps unknown answers unknown', () => {
    expect(viewWithout(base().view, subjectOf(policyObject('gone', 'team-a'))).networkPolicies('team-a')?.map((p) => p.name)).toEqual(['deny', 'allow']);
    expect(viewWithout(literalView({}).view, subjectOf(policyObject('allow', 'team-a'))).networkPolicies('team-a')).toBeUndefined();
  });
});

describe('viewWith and viewWithout: a Pod', () => {
  it('replaces the pod of the same name in its namespace with its labels', () => {
    const { view } = base();
    const placed = viewWith(view, subjectOf(pod('web-1', container, { app: 'web', version: '2' })));
    expect(placed.pods('team-a')).toEqual([
      { name: 'db-1', labels: { app: 'db' } },
      { name: 'web-1', labels: { app: 'web', version: '2' } },
    ]);
    expect(placed.pods('team-b')).toEqual([{ name: 'web-1', labels: { app: 'web' } }]);
    expect(placed.networkPolicies('team-a')).toBe(POLICIES['team-a']);
    expect(placed.namespaces()).toBe(NAMESPACES);
  });

  it('adds a new pod, with no labels when it has none', () => {
    const placed = viewWith(base().view, subjectOf(pod('new', container, undefined, 'team-b')));
    expect(placed.pods('team-b')).toEqual([
      { name: 'web-1', labels: { app: 'web' } },
      { name: 'new', labels: {} },
    ]);
  });

  it('removes the pod when it is deleted', () => {
    const removed = viewWithout(base().view, subjectOf(pod('web-1', container, { app: 'web' })));
    expect(removed.pods('team-a')).toEqual([{ name: 'db-1', labels: { app: 'db' } }]);
    expect(removed.pods('team-b')).toEqual([{ name: 'web-1', labels: { app: 'web' } }]);
  });

  it('keeps unknown pods unknown', () => {
    const view = literalView({ policies: POLICIES }).view;
    expect(viewWith(view, subjectOf(pod('web-1', container, { app: 'web' }))).pods('team-a')).toBeUndefined();
    expect(viewWithout(view, subjectOf(pod('web-1', container, { app: 'web' }))).pods('team-a')).toBeUndefined();
  });
});

describe('viewWith: kinds that are not pods', () => {
  it('leaves pods alone for a Deployment: its template stands for pods not created yet', () => {
    const { view } = base();
    const subject = subjectOf(deployment('web-1', { app: 'other' }));
    expect(subject.judgedAs).toBe('PodTemplate');
    expect(viewWith(view, subject).pods('team-a')).toEqual(PODS['team-a']);
    expect(viewWithout(view, subject).pods('team-a')).toEqual(PODS['team-a']);
  });

  it('leaves the view alone for a kind no rule judges', () => {
    const { view } = base();
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'allow', namespace: 'team-a' } };
    expect(viewWith(view, subjectOf(configMap))).toBe(view);
    expect(viewWithout(view, subjectOf(configMap))).toBe(view);
  });
});

describe('viewWith and viewWithout: a Namespace', () => {
  it('replaces the namespace entry of the same name with its labels', () => {
    const { view } = base();
    const placed = viewWith(view, subjectOf(namespaceObject('team-a', { team: 'a2' })));
    expect(placed.namespaces()).toEqual([
      { name: 'team-b', labels: { team: 'b' } },
      { name: 'team-a', labels: { team: 'a2' } },
    ]);
    expect(placed.networkPolicies('team-a')).toBe(POLICIES['team-a']);
    expect(placed.pods('team-a')).toBe(PODS['team-a']);
  });

  it('adds a new namespace and removes a deleted one', () => {
    const { view } = base();
    expect(viewWith(view, subjectOf(namespaceObject('team-c'))).namespaces()?.map((n) => n.name)).toEqual(['team-a', 'team-b', 'team-c']);
    expect(viewWithout(view, subjectOf(namespaceObject('team-a'))).namespaces()).toEqual([{ name: 'team-b', labels: { team: 'b' } }]);
  });

  it('asks the view under it once, and keeps unknown namespaces unknown', () => {
    const { view, calls } = base();
    const placed = viewWith(view, subjectOf(namespaceObject('team-c')));
    expect(placed.namespaces()).toBe(placed.namespaces());
    expect(calls.namespaces).toBe(1);
    expect(viewWith(literalView({}).view, subjectOf(namespaceObject('team-c'))).namespaces()).toBeUndefined();
    expect(viewWithout(literalView({}).view, subjectOf(namespaceObject('team-c'))).namespaces()).toBeUndefined();
  });
});
