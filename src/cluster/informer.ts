/**
 * One informer: list a resource (paginated), then watch it from the list's
 * resourceVersion, and keep the cluster state in step. A watch the server ends is
 * resumed from the last resourceVersion seen (bookmarks included); 410 Gone (the version
 * is too old) relists at once; any other failure retries with capped exponential backoff
 * and jitter. What it knows of its health is data the view and the metrics read.
 */
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { field, recordOf, stringOf } from '../core/kubernetes/shape.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { WatchedResource, WatchEventType } from './cluster-state.js';
import { ApiStatusError, type KubeApi, type WatchEvent } from './kube-api.js';

export interface InformerHealth {
  /** The first complete list has arrived. */
  readonly synced: boolean;
  /** Since when the informer has had no working list or watch; undefined while it has one. */
  readonly lostSince?: number;
  /** When the last list or event (bookmarks included) arrived. */
  readonly lastEventAt?: number;
  readonly objects: number;
}

/** Where each watched resource is listed and watched, cluster-wide. */
export const RESOURCE_PATHS: Readonly<Record<WatchedResource, string>> = {
  networkpolicies: '/apis/networking.k8s.io/v1/networkpolicies',
  namespaces: '/api/v1/namespaces',
  pods: '/api/v1/pods',
};

/** Objects per list page: pages of a few MB even for large pods. */
const LIST_PAGE_SIZE = 500;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;

class Gone extends Error {}

/** What an informer keeps in step: the cluster view's state, or an audit's store of whole objects. */
export interface InformerStore<R extends string> {
  replace(resource: R, objects: readonly JsonRecord[]): void;
  apply(resource: R, type: WatchEventType, object: JsonRecord): void;
  count(resource: R): number;
}

export interface InformerDeps<R extends string = WatchedResource> {
  readonly api: KubeApi;
  readonly state: InformerStore<R>;
  /** Where the resource is listed and watched; the view's resources default to RESOURCE_PATHS. */
  readonly path?: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** Called after each change of the state (list or event). */
  readonly onChange?: (resource: R) => void;
}

const EVENT_TYPES: readonly string[] = ['ADDED', 'MODIFIED', 'DELETED'];

function resourceVersionOf(object: JsonRecord): string | undefined {
  return stringOf(field(recordOf(field(object, 'metadata')), 'resourceVersion'));
}

function isGone(error: unknown): boolean {
  return error instanceof Gone || (error instanceof ApiStatusError && error.statusCode === 410);
}

export class Informer<R extends string = WatchedResource> {
  private synced = false;
  private lostSince: number | undefined;
  private lastEventAt: number | undefined;
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  private firstSync: { promise: Promise<void>; resolve: () => void };

  private readonly path: string;

  constructor(
    readonly resource: R,
    private readonly deps: InformerDeps<R>,
  ) {
    this.path = deps.path ?? (RESOURCE_PATHS as Readonly<Record<string, string>>)[resource] ?? '';
    let resolve = (): void => undefined;
    const promise = new Promise<void>((done) => (resolve = done));
    this.firstSync = { promise, resolve };
    this.lostSince = deps.now();
  }

  health(): InformerHealth {
    return {
      synced: this.synced,
      objects: this.deps.state.count(this.resource),
      ...(this.lostSince === undefined ? {} : { lostSince: this.lostSince }),
      ...(this.lastEventAt === undefined ? {} : { lastEventAt: this.lastEventAt }),
    };
  }

  /** Resolves once the first list is in. */
  synced$(): Promise<void> {
    return this.firstSync.promise;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Read through a function: the signal changes while the loops await. */
  private stopped(): boolean {
    return this.controller.signal.aborted;
  }

  private async run(): Promise<void> {
    let backoff = BACKOFF_FIRST_MS;
    while (!this.stopped()) {
      try {
        let version = await this.relist();
        backoff = BACKOFF_FIRST_MS;
        while (!this.stopped()) version = await this.watchFrom(version);
      } catch (error: unknown) {
        if (this.stopped()) return;
        this.lostSince ??= this.deps.now();
        if (isGone(error)) {
          this.deps.logger.info({ resource: this.resource }, 'cluster view: resourceVersion too old (410 Gone); listing again');
          continue;
        }
        this.deps.logger.warn({ resource: this.resource, err: describeError(error), retryInMs: backoff }, 'cluster view: list or watch failed; retrying');
        await this.sleep(backoff * (0.5 + Math.random() / 2));
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  private async relist(): Promise<string> {
    const path = this.path;
    const items: JsonRecord[] = [];
    let page = await this.deps.api.list(path, LIST_PAGE_SIZE, undefined, this.signal);
    items.push(...page.items);
    while (page.continueToken !== undefined) {
      page = await this.deps.api.list(path, LIST_PAGE_SIZE, page.continueToken, this.signal);
      items.push(...page.items);
    }
    this.deps.state.replace(this.resource, items);
    this.markAlive();
    if (!this.synced) {
      this.synced = true;
      this.deps.logger.info({ resource: this.resource, objects: items.length }, 'cluster view: synced');
      this.firstSync.resolve();
    }
    this.deps.onChange?.(this.resource);
    return page.resourceVersion;
  }

  private markAlive(): void {
    this.lostSince = undefined;
    this.lastEventAt = this.deps.now();
  }

  /** Watches until the server ends the watch; returns the last resourceVersion seen. */
  private async watchFrom(version: string): Promise<string> {
    let current = version;
    const onEvent = (event: WatchEvent): void => {
      this.markAlive();
      if (event.type === 'ERROR') {
        // A Status: 410 means the version is gone from the watch cache.
        if (field(event.object, 'code') === 410) throw new Gone('410 Gone');
        throw new Error(stringOf(field(event.object, 'message')) ?? 'watch error');
      }
      current = resourceVersionOf(event.object) ?? current;
      if (event.type === 'BOOKMARK' || !EVENT_TYPES.includes(event.type)) return;
      this.deps.state.apply(this.resource, event.type as WatchEventType, event.object);
      this.deps.onChange?.(this.resource);
    };
    await this.deps.api.watch(this.path, current, { onOpen: () => (this.lostSince = undefined), onEvent }, this.signal);
    return current;
  }
}
