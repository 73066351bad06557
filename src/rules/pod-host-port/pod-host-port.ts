import { z } from 'zod';
import { containerPorts, type ContainerPort } from '../../core/kubernetes/pod-template.js';
import { field } from '../../core/kubernetes/shape.js';
import { defineRule } from '../types.js';

const ID = 'pod-host-port';

const params = z
  .object({
    allowedRanges: z
      .array(z.object({ min: z.number().int().min(1).max(65535), max: z.number().int().min(1).max(65535) }).strict())
      .default([])
      .describe('hostPort ranges that are allowed, inclusive.'),
  })
  .strict();

type Params = z.infer<typeof params>;

function isReportable(port: ContainerPort, p: Params): port is ContainerPort & { hostPort: number } {
  const hostPort = port.hostPort;
  if (typeof hostPort !== 'number' || hostPort === 0) return false;
  return !p.allowedRanges.some((range) => range.min <= hostPort && hostPort <= range.max);
}

export const podHostPort = defineRule<Params>({
  id: ID,
  description:
    'A container or init container declares a hostPort other than 0, opening that port on every node the pod runs on, outside the reach of NetworkPolicy on many CNIs. Not reported again for hostNetwork pods (pod-host-network covers them).',
  remediation: 'Remove hostPort and reach the container through a Service (ClusterIP, NodePort or LoadBalancer) instead.',
  defaultAction: 'warn',
  appliesTo: ['PodTemplate'],
  params,
  check: (subject, { params: p }) => {
    const template = subject.podTemplate;
    // hostNetwork pods get hostPort defaulted to containerPort: report the cause once, not each port.
    if (template === undefined || field(template.spec, 'hostNetwork') === true) return [];
    return containerPorts(template)
      .filter((port) => isReportable(port, p))
      .map((port) => ({
        path: `${port.path}.hostPort`,
        message:
          `container "${port.containerName}" opens hostPort ${port.hostPort} on the node; remove hostPort and use a Service, ` +
          `or request an exemption for ${ID}.`,
      }));
  },
});
