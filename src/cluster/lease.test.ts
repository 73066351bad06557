import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { capturingLogger } from '../../test/helpers/capturing-logger.js';
import { ApiStatusError, type KubeRequests, type RequestMethod } from './kube-api.js';
import { LeaderElection, leaseStep, microTime, type LeaseSettings } from './lease.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const DURATION_MS = 15_000;

function lease(spec: Record<string, unknown>, resourceVersion = '100'): JsonRecord {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-guardrails-audit', namespace: 'kube-guardrails', resourceVersion }, spec };
}

function heldBy(holder: string, renewedAt: number, seconds = 15): JsonRecord {
  return lease({ holderIdentity: holder, leaseDurationSeconds: seconds, acquireTime: microTime(renewedAt - 60_000), renewTime: microTime(renewedAt), leaseTransitions: 2 });
}

describe('leaseStep', () => {
  it('creates the Lease when there is none', () => {
    expect(leaseStep(undefined, 'audit-0', T0)).toBe('create');
  });

  it('renews a Lease it holds, even one overdue', () => {
    expect(leaseStep(heldBy('audit-0', T0), 'audit-0', T0 + 1000)).toBe('renew');
    expect(leaseStep(heldBy('audit-0', T0), 'audit-0', T0 + 3_600_000)).toBe('renew');
  });

  it('waits while another holder’s renewal runs, up to and including its last instant', () => {
    const held = heldBy('audit-1', T0);
    expect(leaseStep(held, 'audit-0', T0)).toBe('wait');
    expect(leaseStep(held, 'audit-0', T0 + DURATION_MS - 1)).toBe('wait');
    expect(leaseStep(held, 'audit-0', T0 + DURATION_MS)).toBe('wait');
  });

  it('takes over once another holder’s renewal is overdue', () => {
    expect(leaseStep(heldBy('audit-1', T0), 'audit-0', T0 + DURATION_MS + 1)).toBe('take-over');
    expect(leaseStep(heldBy('audit-1', T0, 40), 'audit-0', T0 + DURATION_MS + 1)).toBe('wait');
    expect(leaseStep(heldBy('audit-1', T0, 40), 'audit-0', T0 + 40_001)).toBe('take-over');
  });

  it('takes a released Lease (no holder) at once', () => {
    expect(leaseStep(lease({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(T0) }), 'audit-0', T0)).toBe('take-over');
    expect(leaseStep(lease({ leaseDurationSeconds: 15, renewTime: microTime(T0) }), 'audit-0', T0)).toBe('take-over');
  });

  it('reads the API server’s microsecond times', () => {
    const held = lease({ holderIdentity: 'audit-1', leaseDurationSeconds: 10, renewTime: '2026-06-01T12:00:00.123456Z' });
    expect(leaseStep(held, 'audit-0', T0 + 10_123)).toBe('wait');
    expect(leaseStep(held, 'audit-0', T0 + 10_124)).toBe('take-over');
  });

  it('counts from acquireTime when the Lease was never renewed', () => {
    const held = lease({ holderIdentity: 'audit-1', leaseDurationSeconds: 15, acquireTime: microTime(T0) });
    expect(leaseStep(held, 'audit-0', T0 + DURATION_MS)).toBe('wait');
    expect(leaseStep(held, 'audit-0', T0 + DURATION_MS + 1)).toBe('take-over');
  });

  it('takes over a Lease with no times or no duration: nothing says it is held', () => {
    expect(leaseStep(lease({ holderIdentity: 'audit-1', leaseDurationSeconds: 15 }), 'audit-0', T0)).toBe('take-over');
    expect(leaseStep(lease({ holderIdentity: 'audit-1', renewTime: microTime(T0) }), 'audit-0', T0 + 1)).toBe('take-over');
    expect(leaseStep(lease({ holderIdentity: 'audit-1', renewTime: 'yesterday', leaseDurationSeconds: 15 }), 'audit-0', T0)).toBe('take-over');
  });
});

describe('microTime', () => {
  it('writes RFC 3339 with six fractional digits, as the API server does', () => {
    expect(microTime(Date.parse('2026-06-01T12:00:00.123Z'))).toBe('2026-06-01T12:00:00.123000Z');
    expect(microTime(T0)).toBe('2026-06-01T12:00:00.000000Z');
    expect(microTime(0)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('reads back as the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        const text = microTime(ms);
        expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        expect(Date.parse(text)).toBe(ms);
      }),
    );
  });
});

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-guardrails/leases';
const LEASE_PATH = `${LEASES}/kube-guardrails-audit`;

interface Handled {
  readonly method: RequestMethod;
  readonly path: string;
  readonly status: number;
  readonly holder?: string;
}

/**
 * kube-apiserver as far as one Lease goes: GET, POST (409 if it exists), PUT (409 unless the
 * body carries the stored resourceVersion; unconditional without one). Each request yields
 * before it is handled, so concurrent rounds interleave as real requests do.
 */
class FakeLeaseServer implements KubeRequests {
  stored: JsonRecord | undefined;
  readonly handled: Handled[] = [];
  /** Fails the next request with this method with this error. */
  failNext: { method: RequestMethod; error: Error } | undefined;
  /** Time the API server takes to answer a GET, on the test clock. */
  getLatency: { advance: (ms: number) => void; ms: number } | undefined;
  private version = 1;

  async send(method: RequestMethod, path: string, body: JsonRecord | undefined, signal: AbortSignal): Promise<JsonRecord> {
    await Promise.resolve();
    if (signal.aborted) throw new DOMException('This operation was aborted', 'AbortError');
    if (this.failNext?.method === method) {
      const { error } = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    return this.handle(method, path, body);
  }

  private answer(method: RequestMethod, path: string, status: number, holder?: string): void {
    this.handled.push({ method, path, status, ...(holder === undefined ? {} : { holder }) });
    if (status >= 300) throw new ApiStatusError(status, `${method} ${path}: ${String(status)}`);
  }

  private handle(method: RequestMethod, path: string, body: JsonRecord | undefined): JsonRecord {
    if (method === 'GET' && path === LEASE_PATH) return this.get();
    if (method === 'POST' && path === LEASES && body !== undefined) return this.create(body);
    if (method === 'PUT' && path === LEASE_PATH && body !== undefined) return this.update(body);
    this.answer(method, path, 405);
    return {};
  }

  private get(): JsonRecord {
    this.getLatency?.advance(this.getLatency.ms);
    this.answer('GET', LEASE_PATH, this.stored === undefined ? 404 : 200);
    return structuredClone(this.stored!);
  }

  private create(body: JsonRecord): JsonRecord {
    this.answer('POST', LEASES, this.stored === undefined ? 201 : 409, holderOf(body));
    return this.store(body);
  }

  private update(body: JsonRecord): JsonRecord {
    const sent = (body.metadata as { resourceVersion?: string }).resourceVersion;
    const current = (this.stored?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    const status = this.stored === undefined ? 404 : sent !== undefined && sent !== current ? 409 : 200;
    this.answer('PUT', LEASE_PATH, status, holderOf(body));
    return this.store(body);
  }

  private store(body: JsonRecord): JsonRecord {
    this.version += 1;
    this.stored = { ...structuredClone(body), metadata: { ...(body.metadata as object), uid: 'lease-uid', resourceVersion: String(this.version) } };
    return structuredClone(this.stored);
  }

  spec(): Record<string, unknown> {
    return (this.stored?.spec ?? {}) as Record<string, unknown>;
  }
}

function holderOf(body: JsonRecord): string {
  const holder = (body.spec as { holderIdentity?: unknown } | undefined)?.holderIdentity;
  return typeof holder === 'string' ? holder : '';
}


interface Cluster {
  readonly server: FakeLeaseServer;
  readonly clock: { now: number };
  readonly changes: Record<string, boolean[]>;
  readonly logs: () => Record<string, unknown>[];
  readonly elector: (identity: string, durationMs?: number) => LeaderElection;
}

function cluster(): Cluster {
  const server = new FakeLeaseServer();
  const clock = { now: T0 };
  const changes: Record<string, boolean[]> = {};
  const { logger, lines } = capturingLogger();
  return {
    server,
    clock,
    changes,
    logs: lines,
    elector: (identity, durationMs = DURATION_MS) => {
      const settings: LeaseSettings = { namespace: 'kube-guardrails', name: 'kube-guardrails-audit', identity, durationMs };
      changes[identity] = [];
      return new LeaderElection(server, settings, { logger, now: () => clock.now, onChange: (leader) => changes[identity]?.push(leader) });
    },
  };
}

describe('LeaderElection: one replica', () => {
  it('creates the Lease and leads', async () => {
    const { server, elector, changes } = cluster();
    const a = elector('audit-0');
    expect(a.isLeader()).toBe(false);
    expect(await a.attempt()).toBe(true);
    expect(a.isLeader()).toBe(true);
    expect(server.handled.map(({ method, path, status }) => `${method} ${path} ${String(status)}`)).toEqual([`GET ${LEASE_PATH} 404`, `POST ${LEASES} 201`]);
    expect(server.stored).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'kube-guardrails-audit', namespace: 'kube-guardrails' },
      spec: { holderIdentity: 'audit-0', leaseDurationSeconds: 15, acquireTime: '2026-06-01T12:00:00.000000Z', renewTime: '2026-06-01T12:00:00.000000Z', leaseTransitions: 0 },
    });
    expect(changes['audit-0']).toEqual([true]);
  });

  it('renews with the resourceVersion it read, keeping acquireTime and the transition count', async () => {
    const { server, elector, clock, changes } = cluster();
    const a = elector('audit-0');
    await a.attempt();
    const acquired = server.spec().acquireTime;
    clock.now += 5000;
    expect(await a.attempt()).toBe(true);
    expect(server.handled.at(-1)).toMatchObject({ method: 'PUT', path: LEASE_PATH, status: 200 });
    expect(server.spec()).toMatchObject({ holderIdentity: 'audit-0', acquireTime: acquired, renewTime: microTime(T0 + 5000), leaseTransitions: 0 });
    expect(changes['audit-0']).toEqual([true]);
  });

  it('leads until its last renewal runs out, counted from before it read the Lease', async () => {
    const { server, elector, clock } = cluster();
    const a = elector('audit-0');
    server.getLatency = { advance: (ms) => (clock.now += ms), ms: 3000 };
    await a.attempt();
    expect(clock.now).toBe(T0 + 3000);
    clock.now = T0 + DURATION_MS - 1;
    expect(a.isLeader()).toBe(true);
    clock.now = T0 + DURATION_MS;
    expect(a.isLeader()).toBe(false);
  });

  it('tells onChange(false) when leadership ran out between rounds: a failed renewal, or a take-over', async () => {
    const { server, elector, clock, changes } = cluster();
    const a = elector('audit-0');
    await a.attempt();
    clock.now = T0 + DURATION_MS;
    server.failNext = { method: 'GET', error: new Error('connect ECONNREFUSED 10.96.0.1:443') };
    expect(await a.attempt()).toBe(false);
    expect(changes['audit-0']).toEqual([true, false]);
    // Back, then taken over by another while its renewals were overdue.
    expect(await a.attempt()).toBe(true);
    const b = elector('audit-1');
    clock.now += DURATION_MS + 1;
    expect(await b.attempt()).toBe(true);
    clock.now += 1;
    expect(await a.attempt()).toBe(false);
    expect(changes['audit-0']).toEqual([true, false, true, false]);
    expect(changes['audit-1']).toEqual([true]);
  });

  it('tells onChange(false) the instant its last renewal runs out, while a renewal still hangs', async () => {
    vi.useFakeTimers();
    const server = new FakeLeaseServer();
    const changes: boolean[] = [];
    const { logger } = capturingLogger();
    const settings: LeaseSettings = { namespace: 'kube-guardrails', name: 'kube-guardrails-audit', identity: 'audit-0', durationMs: 3000 };
    const a = new LeaderElection(server, settings, { logger, now: () => Date.now(), onChange: (leader) => changes.push(leader) });
    expect(await a.attempt()).toBe(true);
    await vi.advanceTimersByTimeAsync(2999);
    expect(changes).toEqual([true]);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.isLeader()).toBe(false);
    expect(changes).toEqual([true, false]);
    await a.stop();
    vi.useRealTimers();
  });

  it('keeps leading through a failed renewal until the last one runs out, and logs it', async () => {
    const { server, elector, clock, changes, logs } = cluster();
    const a = elector('audit-0');
    await a.attempt();
    clock.now = T0 + 5000;
    server.failNext = { method: 'PUT', error: new ApiStatusError(500, 'etcdserver: request timed out') };
    expect(await a.attempt()).toBe(true);
    expect(logs().filter((line) => line.level === 40)).toEqual([expect.objectContaining({ msg: 'audit lease: renewal failed', lease: LEASE_PATH })]);
    clock.now = T0 + DURATION_MS;
    expect(a.isLeader()).toBe(false);
    server.failNext = { method: 'GET', error: new Error('connect ECONNREFUSED 10.96.0.1:443') };
    expect(await a.attempt()).toBe(false);
    // The API server is back and nobody took the Lease: the same replica renews it.
    clock.now = T0 + DURATION_MS + 2000;
    expect(await a.attempt()).toBe(true);
    expect(server.spec()).toMatchObject({ holderIdentity: 'audit-0', leaseTransitions: 0 });
    expect(changes['audit-0']?.at(-1)).toBe(true);
  });
});

describe('LeaderElection: replicas', () => {
  it('lets one of two replicas racing to create the Lease lead; the loser gets 409 and logs nothing', async () => {
    const { server, elector, logs } = cluster();
    const [a, b] = [elector('audit-0'), elector('audit-1')];
    const led = await Promise.all([a.attempt(), b.attempt()]);
    // Both read "none" before either wrote: a real race, decided by the API server.
    expect(server.handled.map(({ method, status }) => `${method} ${String(status)}`)).toEqual(['GET 404', 'GET 404', 'POST 201', 'POST 409']);
    expect(led.filter(Boolean)).toHaveLength(1);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(server.spec().holderIdentity).toBe(led[0] ? 'audit-0' : 'audit-1');
    expect(logs().filter((line) => line.level === 40)).toEqual([]);
  });

  it('makes another replica wait, without writing, while the holder renews', async () => {
    const { server, elector, clock } = cluster();
    const [a, b] = [elector('audit-0'), elector('audit-1')];
    await a.attempt();
    const writes = server.handled.filter((request) => request.method !== 'GET').length;
    clock.now = T0 + DURATION_MS;
    expect(await b.attempt()).toBe(false);
    expect(b.isLeader()).toBe(false);
    expect(server.handled.filter((request) => request.method !== 'GET')).toHaveLength(writes);
  });

  it('lets another replica take over once the holder stops renewing, and the old holder knows it lost', async () => {
    const { server, elector, clock, changes } = cluster();
    const [a, b] = [elector('audit-0'), elector('audit-1')];
    await a.attempt();
    clock.now = T0 + DURATION_MS + 1;
    expect(a.isLeader()).toBe(false);
    expect(await b.attempt()).toBe(true);
    expect(server.spec()).toMatchObject({ holderIdentity: 'audit-1', acquireTime: microTime(T0 + DURATION_MS + 1), renewTime: microTime(T0 + DURATION_MS + 1), leaseTransitions: 1 });
    expect(await a.attempt()).toBe(false);
    expect(a.isLeader()).toBe(false);
    expect(changes['audit-1']).toEqual([true]);
  });

  it('never lets two replicas lead at once with a lease duration of fractional seconds (1400 ms): the Lease says 2 s', async () => {
    const { server, elector, clock } = cluster();
    const [a, b] = [elector('audit-0', 1400), elector('audit-1', 1400)];
    await a.attempt();
    expect(server.spec()).toMatchObject({ leaseDurationSeconds: 2 });
    for (const offset of [1001, 1399, 1400]) {
      clock.now = T0 + offset;
      expect(await b.attempt()).toBe(false);
    }
    clock.now = T0 + 2001;
    expect(a.isLeader()).toBe(false);
    expect(await b.attempt()).toBe(true);
  });

  it('stops leading at once, and says so, when it finds the Lease held by another while it still leads', async () => {
    const { server, elector, clock, changes, logs } = cluster();
    const a = elector('audit-0');
    await a.attempt();
    // Someone (kubectl edit, a replica with a skewed clock) wrote another holder into the Lease.
    server.stored = heldBy('audit-9', T0 + 1000);
    clock.now = T0 + 2000;
    expect(await a.attempt()).toBe(false);
    expect(a.isLeader()).toBe(false);
    expect(changes['audit-0']).toEqual([true, false]);
    expect(logs().filter((line) => line.msg === 'audit lease: not leading, not writing')).toEqual([expect.objectContaining({ identity: 'audit-0', leader: false })]);
  });

  it('lets one of two replicas racing to take over an overdue Lease lead', async () => {
    const { server, elector, clock } = cluster();
    const [a, b, c] = [elector('audit-0'), elector('audit-1'), elector('audit-2')];
    await a.attempt();
    clock.now = T0 + DURATION_MS + 1;
    const led = await Promise.all([b.attempt(), c.attempt()]);
    expect(led.filter(Boolean)).toHaveLength(1);
    expect(server.handled.slice(-4).map(({ method, status }) => `${method} ${String(status)}`)).toEqual(['GET 200', 'GET 200', 'PUT 200', 'PUT 409']);
    expect(server.spec()).toMatchObject({ holderIdentity: led[0] ? 'audit-1' : 'audit-2', leaseTransitions: 1 });
    expect([a.isLeader(), b.isLeader(), c.isLeader()].filter(Boolean)).toHaveLength(1);
  });

  it('never lets two replicas lead at once, whatever the order of rounds and the time between them', async () => {
    const identities = ['audit-0', 'audit-1', 'audit-2'];
    const round = fc.record({ who: fc.subarray(identities, { minLength: 1 }), advanceMs: fc.integer({ min: 0, max: 2 * DURATION_MS }), latencyMs: fc.integer({ min: 0, max: 4000 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 25 }), async (rounds) => {
        const { server, elector, clock } = cluster();
        const electors = new Map(identities.map((identity) => [identity, elector(identity)]));
        const leaders = (): string[] => identities.filter((identity) => electors.get(identity)?.isLeader() === true);
        for (const { who, advanceMs, latencyMs } of rounds) {
          server.getLatency = { advance: (ms) => (clock.now += ms), ms: latencyMs };
          await Promise.all(who.map((identity) => electors.get(identity)!.attempt()));
          expect(leaders().length).toBeLessThanOrEqual(1);
          // And until the next round, at the instants where a leadership or a Lease runs out.
          const base = clock.now;
          for (const offset of [1, advanceMs - 1, advanceMs].filter((candidate) => candidate >= 0 && candidate <= advanceMs)) {
            clock.now = base + offset;
            expect(leaders().length).toBeLessThanOrEqual(1);
          }
          clock.now = base + advanceMs;
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('LeaderElection: stop', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('releases the Lease when leading, so another replica takes over at once', async () => {
    const { server, elector, clock } = cluster();
    const [a, b] = [elector('audit-0'), elector('audit-1')];
    await a.attempt();
    clock.now = T0 + 2000;
    await a.stop();
    expect(a.isLeader()).toBe(false);
    expect(server.handled.at(-1)).toMatchObject({ method: 'PUT', path: LEASE_PATH, status: 200, holder: '' });
    expect(server.spec()).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(await b.attempt()).toBe(true);
    expect(server.spec()).toMatchObject({ holderIdentity: 'audit-1', leaseTransitions: 1 });
  });

  it('writes nothing when not leading', async () => {
    const { server, elector, clock } = cluster();
    const [a, b] = [elector('audit-0'), elector('audit-1')];
    await a.attempt();
    clock.now = T0 + 1000;
    await b.attempt();
    const before = server.handled.length;
    await b.stop();
    expect(server.handled).toHaveLength(before);
    expect(server.spec().holderIdentity).toBe('audit-0');
  });

  it('logs, and does not throw, when the release fails', async () => {
    const { server, elector, logs } = cluster();
    const a = elector('audit-0');
    await a.attempt();
    server.failNext = { method: 'PUT', error: new ApiStatusError(409, 'the object has been modified') };
    await expect(a.stop()).resolves.toBeUndefined();
    expect(a.isLeader()).toBe(false);
    expect(logs().filter((line) => line.level === 40)).toEqual([expect.objectContaining({ msg: 'audit lease: release failed; another replica takes over when it runs out' })]);
  });

  it('tries at once on start, then every third of the lease duration, until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, elector, clock } = cluster();
    const a = elector('audit-0');
    a.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.handled.map((request) => request.method)).toEqual(['GET', 'POST']);
    clock.now += DURATION_MS / 3;
    await vi.advanceTimersByTimeAsync(DURATION_MS / 3);
    expect(server.handled.map((request) => request.method)).toEqual(['GET', 'POST', 'GET', 'PUT']);
    await a.stop();
    const afterStop = server.handled.length;
    expect(server.spec().holderIdentity).toBe('');
    await vi.advanceTimersByTimeAsync(5 * DURATION_MS);
    expect(server.handled).toHaveLength(afterStop);
  });
});
