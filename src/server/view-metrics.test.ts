/** The cluster view's gauges: read from its health at each scrape, absent without a view. */
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

describe('cluster view metrics', () => {
  it('are absent without a view, and follow its health when there is one', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    expect(await metrics.registry.metrics()).not.toContain('kube_guardrails_cluster_view_synced{');
    const now = Date.now();
    metrics.viewHealth = () => ({
      usable: false,
      resources: {
        networkpolicies: { synced: true, objects: 12, lastEventAt: now - 5_000 },
        namespaces: { synced: true, objects: 4, lastEventAt: now },
        pods: { synced: true, objects: 30, lostSince: now - 1_000, lastEventAt: now - 90_000 },
      },
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('kube_guardrails_cluster_view_synced{resource="networkpolicies"} 1');
    expect(text).toContain('kube_guardrails_cluster_view_synced{resource="pods"} 0');
    expect(text).toContain('kube_guardrails_cluster_view_objects{resource="pods"} 30');
    const age = /kube_guardrails_cluster_view_last_event_age_seconds\{resource="pods"\} ([\d.]+)/.exec(text);
    expect(Number(age?.[1])).toBeGreaterThanOrEqual(90);
  });
});
