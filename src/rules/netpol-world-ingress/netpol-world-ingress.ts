import { worldRule } from '../shared/world-rule.js';

export const netpolWorldIngress = worldRule({ id: 'netpol-world-ingress', direction: 'ingress', defaultAction: 'deny' });
