import { worldRule } from '../shared/world-rule.js';

export const netpolWorldEgress = worldRule({ id: 'netpol-world-egress', direction: 'egress', defaultAction: 'warn' });
