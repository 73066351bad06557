import { z } from 'zod';
import { containerPorts, type ContainerPort } from '../../core/kubernetes/pod-template.js';
import { field } from '../../core/kubernetes/shape.js';
import { quote } from '../shared/words.js';
import { defineRule } from '../types.js';

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

export const podHostPort = defineRule({
  id: 'pod-host-port',
  description:
    'A container or init container declares a hostPort other than 0, opening that port on every node the pod runs on, outside the reach of NetworkPolicy on many CNIs. Not reported again for hostNetwork pods (pod-host-network covers them).',
  remediation: 'Remove hostPort and reach the container through a Service (ClusterIP, NodePort or LoadBalancer) instead.',
  defaultAction: 'warn',
  appliesTo: ['PodTemplate'],
  params,
  check: (subject, { params: p }) => {
    const template = subject.podTemplate;
    // hostNetwork pods get hostPort defaulted to containerPort: report the cause once, not each port.
    if (field(template.spec, 'hostNetwork') === true) return [];
    return containerPorts(template)
      .filter((port) => isReportable(port, p))
      .map((port) => ({
        path: [...port.path, 'hostPort'],
        summary: `container ${quote(port.containerName, 30)} opens hostPort ${port.hostPort} on every node it runs on`,
        fix: 'Remove hostPort and reach the container through a Service.',
        value: String(port.hostPort),
        details: { container: port.containerName },
      }));
  },
});
