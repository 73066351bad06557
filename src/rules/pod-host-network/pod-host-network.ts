import { z } from 'zod';
import { field } from '../../core/kubernetes/shape.js';
import { defineRule } from '../types.js';

export const podHostNetwork = defineRule({
  id: 'pod-host-network',
  description:
    'A Pod or pod template sets hostNetwork: true. Such pods share the node’s network namespace, so NetworkPolicies neither isolate them nor match them as peers on most CNIs, and they can bind any node port.',
  remediation:
    'Remove hostNetwork (or set it to false) and expose the workload through a Service; if it truly needs the node network (a CNI or node agent), run it in a namespace exempted for pod-host-network.',
  defaultAction: 'deny',
  appliesTo: ['PodTemplate'],
  params: z.object({}).strict(),
  check: (subject) => {
    const template = subject.podTemplate;
    if (field(template.spec, 'hostNetwork') !== true) return [];
    return [
      {
        path: [...template.specPath, 'hostNetwork'],
        summary: 'hostNetwork is true: the pod uses the node’s network, where NetworkPolicies do not isolate it',
        fix: 'Remove hostNetwork and expose the pods through a Service.',
        value: 'true',
      },
    ];
  },
});
