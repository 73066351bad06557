/**
 * Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection
 * does it: a replica holds the Lease while it renews it within leaseDurationSeconds; any
 * other takes it over only once a renewal is overdue, and every write carries the
 * resourceVersion it read, so two replicas racing for it cannot both win (the API server
 * answers the loser 409). The holder counts as leader only until its last renewal would
 * expire, and is told the instant that passes, so a replica cut off from the API server
 * stops starting writes when another may begin (a write already sent may still land).
 */
import { field, recordOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ApiStatusError, type KubeRequests } from './kube-api.js';

export interface LeaseSettings {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly durationMs: number;
}

/** What a replica does with the Lease as it finds it. */
export type LeaseStep = 'create' | 'renew' | 'take-over' | 'wait';

interface HeldLease {
  readonly holder: string;
  readonly renewedAt: number;
  readonly durationMs: number;
}

function heldLeaseOf(lease: JsonRecord): HeldLease {
  const spec = recordOf(field(lease, 'spec'));
  const renew = Date.parse(stringOf(field(spec, 'renewTime')) ?? stringOf(field(spec, 'acquireTime')) ?? '');
  const seconds = field(spec, 'leaseDurationSeconds');
  return { holder: stringOf(field(spec, 'holderIdentity')) ?? '', renewedAt: Number.isNaN(renew) ? 0 : renew, durationMs: typeof seconds === 'number' ? seconds * 1000 : 0 };
}

/** The step for `identity`, given the Lease as read (undefined: there is none). Pure. */
export function leaseStep(lease: JsonRecord | undefined, identity: string, now: number): LeaseStep {
  if (lease === undefined) return 'create';
  const held = heldLeaseOf(lease);
  if (held.holder === identity) return 'renew';
  // Released (empty holder) or overdue: free to take.
  return held.holder === '' || now > held.renewedAt + held.durationMs ? 'take-over' : 'wait';
}

/** MicroTime as the API server writes it: RFC 3339 with six fractional digits. */
export function microTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The duration written in the Lease: whole seconds, never less than the holder leads for. */
export function leaseSeconds(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs / 1000));
}

function leaseBody(settings: LeaseSettings, now: number, previous: JsonRecord | undefined, step: LeaseStep): JsonRecord {
  const previousSpec = recordOf(field(previous, 'spec')) ?? {};
  const transitions = typeof previousSpec.leaseTransitions === 'number' ? previousSpec.leaseTransitions : 0;
  const acquired = step === 'renew' ? (stringOf(previousSpec.acquireTime) ?? microTime(now)) : microTime(now);
  const metadata = { name: settings.name, namespace: settings.namespace, ...(previous === undefined ? {} : { resourceVersion: stringOf(field(recordOf(field(previous, 'metadata')), 'resourceVersion')) }) };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata,
    spec: {
      holderIdentity: settings.identity,
      // Rounded up: the others must never see the Lease run out before its holder stops leading.
      leaseDurationSeconds: leaseSeconds(settings.durationMs),
      acquireTime: acquired,
      renewTime: microTime(now),
      leaseTransitions: step === 'take-over' ? transitions + 1 : transitions,
    },
  };
}

export class LeaderElection {
  private leaderUntil = 0;
  /** What onChange was last told: leadership that ran out between rounds is told too. */
  private announced = false;
  private expiry: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly controller = new AbortController();
  private readonly path: string;

  constructor(
    private readonly api: KubeRequests,
    private readonly settings: LeaseSettings,
    private readonly deps: { readonly logger: Logger; readonly now: () => number; readonly onChange?: (leader: boolean) => void },
  ) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${settings.namespace}/leases/${settings.name}`;
  }

  /** Leader now: the last renewal has not yet run out. */
  isLeader(): boolean {
    return this.deps.now() < this.leaderUntil;
  }

  /** Tries at once, then every third of the lease duration (client-go's retry period is about that). */
  start(): void {
    const tick = (): void => {
      void this.attempt().finally(() => {
        if (!this.controller.signal.aborted) this.timer = setTimeout(tick, Math.max(200, this.settings.durationMs / 3));
      });
    };
    tick();
  }

  /** One round: read the Lease, then create, renew or take it over if that is the step. */
  async attempt(): Promise<boolean> {
    const startedAt = this.deps.now();
    try {
      const lease = await this.read();
      const step = leaseStep(lease, this.settings.identity, startedAt);
      if (step === 'wait') {
        this.leaderUntil = 0;
      } else {
        const body = leaseBody(this.settings, startedAt, lease, step);
        await this.api.send(step === 'create' ? 'POST' : 'PUT', step === 'create' ? this.path.slice(0, this.path.lastIndexOf('/')) : this.path, body, this.controller.signal);
        // Counted from before the read: the API server may have taken time to answer.
        this.leaderUntil = startedAt + this.settings.durationMs;
      }
    } catch (error: unknown) {
      // A conflict is a lost race; anything else leaves the lease as it was until it runs out.
      if (!(error instanceof ApiStatusError && error.statusCode === 409)) this.deps.logger.warn({ lease: this.path, err: describeError(error) }, 'audit lease: renewal failed');
    }
    const leader = this.isLeader();
    this.watchExpiry(leader);
    if (leader !== this.announced) {
      this.announced = leader;
      this.deps.logger.info({ lease: this.path, identity: this.settings.identity, leader }, leader ? 'audit lease: leading, writing reports' : 'audit lease: not leading, not writing');
      this.deps.onChange?.(leader);
    }
    return leader;
  }

  /**
   * Leadership that runs out between rounds (a renewal hanging on the network) is told
   * the instant it does, not when the hanging round ends: the writer stops then.
   */
  private watchExpiry(leader: boolean): void {
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    this.expiry = undefined;
    if (!leader) return;
    this.expiry = setTimeout(() => {
      if (this.isLeader() || !this.announced) return;
      this.announced = false;
      this.deps.logger.info({ lease: this.path, identity: this.settings.identity, leader: false }, 'audit lease: not leading, not writing');
      this.deps.onChange?.(false);
    }, Math.max(0, this.leaderUntil - this.deps.now()));
    this.expiry.unref();
  }

  private async read(): Promise<JsonRecord | undefined> {
    try {
      return await this.api.send('GET', this.path, undefined, this.controller.signal);
    } catch (error: unknown) {
      if (error instanceof ApiStatusError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Stops renewing and, if leading, releases the Lease so that another replica takes over at once. */
  async stop(): Promise<void> {
    this.controller.abort();
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    if (!this.isLeader()) return;
    this.leaderUntil = 0;
    this.announced = false;
    try {
      const lease = await this.api.send('GET', this.path, undefined, AbortSignal.timeout(5_000));
      const spec = { ...recordOf(field(lease, 'spec')), holderIdentity: '', leaseDurationSeconds: 1 };
      await this.api.send('PUT', this.path, { ...lease, spec }, AbortSignal.timeout(5_000));
    } catch (error: unknown) {
      this.deps.logger.warn({ lease: this.path, err: describeError(error) }, 'audit lease: release failed; another replica takes over when it runs out');
    }
  }
}
