import { RULES } from '../rules/index.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../policy/policy.js';
import { evaluate } from './evaluate.js';
import { manifestView } from '../cluster/manifest-view.js';

// Every rule on, warn-level parameters included, so that no rule is skipped.
const ALL_RULES = compilePolicy({ rules: { 'pod-not-isolated': { directions: ['ingress', 'egress'] } } }, RULES);

const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double(), fc.constant({}), fc.constant([]));
const cidrish = fc.oneof(
  fc.constantFrom('0.0.0.0/0', '::/0', '1.2.3.4/0', '::ffff:0.0.0.0/96', '10.0.0.0/33', '', 'x', '010.0.0.0/08'),
  fc.string(),
  junk,
);
const labelMap = fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), junk)), junk);
const selector = fc.oneof(
  junk,
  fc.record(
    {
      matchLabels: labelMap,
      matchExpressions: fc.oneof(
        junk,
        fc.array(fc.record({ key: fc.oneof(fc.string(), junk), operator: fc.oneof(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt'), junk), values: fc.oneof(fc.array(fc.oneof(fc.string(), junk)), junk) }, { requiredKeys: [] })),
      ),
    },
    { requiredKeys: [] },
  ),
);
const peer = fc.oneof(
  junk,
  fc.record({ podSelector: selector, namespaceSelector: selector, ipBlock: fc.oneof(junk, fc.record({ cidr: cidrish, except: fc.oneof(fc.array(cidrish), junk) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
);
const port = fc.oneof(junk, fc.record({ protocol: fc.oneof(fc.constantFrom('TCP', 'UDP', 'SCTP', 'tcp'), junk), port: fc.oneof(fc.integer(), fc.string(), junk), endPort: fc.oneof(fc.integer(), junk) }, { requiredKeys: [] }));
const rule = (peers: 'from' | 'to') => fc.oneof(junk, fc.record({ [peers]: fc.oneof(fc.array(peer), junk), ports: fc.oneof(fc.array(port), junk) }, { requiredKeys: [] }));
const metadata = fc.oneof(junk, fc.record({ name: fc.oneof(fc.string(), junk), namespace: fc.oneof(fc.constantFrom('team-a', 'kube-system'), junk), labels: labelMap }, { requiredKeys: [] }));

const networkPolicy = fc.record({
  apiVersion: fc.constant('networking.k8s.io/v1'),
  kind: fc.constant('NetworkPolicy'),
  metadata,
  spec: fc.oneof(
    junk,
    fc.record(
      {
        podSelector: selector,
        policyTypes: fc.oneof(fc.array(fc.oneof(fc.constantFrom('Ingress', 'Egress'), junk)), junk),
        ingress: fc.oneof(fc.array(rule('from')), junk),
        egress: fc.oneof(fc.array(rule('to')), junk),
      },
      { requiredKeys: [] },
    ),
  ),
});

const container = fc.oneof(
  junk,
  fc.record({ name: fc.oneof(fc.string(), junk), ports: fc.oneof(junk, fc.array(fc.oneof(junk, fc.record({ containerPort: fc.oneof(fc.integer(), junk), hostPort: fc.oneof(fc.integer(), junk), protocol: junk, name: junk }, { requiredKeys: [] })))) }, { requiredKeys: [] }),
);
const podSpec = fc.oneof(junk, fc.record({ hostNetwork: fc.oneof(fc.boolean(), junk), containers: fc.oneof(fc.array(container), junk), initContainers: fc.oneof(fc.array(container), junk) }, { requiredKeys: [] }));
const template = fc.oneof(junk, fc.record({ metadata, spec: podSpec }, { requiredKeys: [] }));
const workload = fc.oneof(
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata, spec: podSpec }),
  fc.record({ apiVersion: fc.constant('apps/v1'), kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'), metadata, spec: fc.oneof(junk, fc.record({ selector, template }, { requiredKeys: [] })) }),
  fc.record({ apiVersion: fc.constant('batch/v1'), kind: fc.constant('CronJob'), metadata, spec: fc.oneof(junk, fc.record({ jobTemplate: fc.oneof(junk, fc.record({ spec: fc.oneof(junk, fc.record({ template })) })) })) }),
  fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Namespace'), metadata }),
);

describe('no rule throws', () => {
  it('on arbitrary NetworkPolicy-shaped input, judged against arbitrary policies', () => {
    fc.assert(
      fc.property(networkPolicy, fc.array(networkPolicy, { maxLength: 3 }), (object, others) => {
        const verdict = evaluate(RULES, object, { policy: ALL_RULES, view: manifestView([object, ...others], 'team-a'), now: 0, defaultNamespace: 'team-a' });
        expect(verdict.failures).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('on arbitrary Pod- and workload-shaped input', () => {
    fc.assert(
      fc.property(workload, fc.array(networkPolicy, { maxLength: 2 }), (object, policies) => {
        const verdict = evaluate(RULES, object, { policy: ALL_RULES, view: manifestView(policies, 'team-a'), now: 0, defaultNamespace: 'team-a' });
        expect(verdict.failures).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('on arbitrary JSON values in the place of an object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const verdict = evaluate(RULES, object, { policy: ALL_RULES, view: manifestView([object], 'default'), now: 0, defaultNamespace: 'default' });
        expect(verdict.failures).toEqual([]);
      }),
    );
  });
});
