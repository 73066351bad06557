import { worldRule } from '../shared/world-rule.js';

export const netpolWorldEgress = worldRule({
  id: 'netpol-world-egress',
  direction: 'egress',
  defaultAction: 'warn',
  description:
    'A NetworkPolicy that isolates egress lets its pods reach the internet: its egress rules together (ipBlock cidr minus except, or a rule with no `to`) cover at least half of the public IPv4 space or of IPv6 global unicast.',
});
