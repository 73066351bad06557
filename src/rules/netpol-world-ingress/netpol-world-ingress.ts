import { worldRule } from '../shared/world-rule.js';

export const netpolWorldIngress = worldRule({
  id: 'netpol-world-ingress',
  direction: 'ingress',
  defaultAction: 'deny',
  description:
    'A NetworkPolicy that isolates ingress admits the internet: its ingress rules together (ipBlock cidr minus except, or a rule with no `from`) cover at least half of the public IPv4 space or of IPv6 global unicast, however the CIDR is spelled.',
});
