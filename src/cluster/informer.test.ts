/**
 * The informer's protocol against a scripted API server: list pages, watch from the
 * list's resourceVersion, resume from the last one seen (bookmarks included), relist on
 * 410 Gone, retry other failures, and the view's trust in between. The real API server
 * drives the same code in the end-to-end suite (test/e2e/cluster-view.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { ClusterState } from './cluster-state.js';
import { Informer } from './informer.js';
import { startLiveView } from './informer-view.js';
import { ApiStatusError, type KubeApi, type ListPage, type WatchHandlers } from './kube-api.js';

type Json = Record<string, unknown>;

const policy = (name: string, version: string, labels: Json = { app: 'web' }): Json => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'shop', resourceVersion: version },
  spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'] },
});

interface WatchCall {
  readonly path: string;
  readonly version: string;
  readonly handlers: WatchHandlers;
  readonly end: (error?: Error) => void;
}

/** An API server driven by the test: lists answer from `pages`, watches wait for the test to feed and end them. */
class ScriptedApi implements KubeApi {
  readonly server = 'https://scripted.invalid';
  readonly lists: { path: string; continueToken: string | undefined }[] = [];
  readonly watches: WatchCall[] = [];
  listFailures = 0;
  pages: ListPage[] = [{ items: [], resourceVersion: '1' }];
  private waiters: (() => void)[] = [];

  list(path: string, _limit: number, continueToken: string | undefined): Promise<ListPage> {
    this.lists.push({ path, continueToken });
    this.notify();
    if (this.listFailures > 0) {
      this.listFailures--;
      return Promise.reject(new ApiStatusError(503, 'unavailable'));
    }
    const index = continueToken === undefined ? 0 : Number(continueToken);
    return Promise.resolve(this.pages[index] as ListPage);
  }

  watch(path: string, version: string, handlers: WatchHandlers, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const end = (error?: Error): void => {
        if (error === undefined) resolve();
        else reject(error);
      };
      signal.addEventListener('abort', () => { resolve(); }, { once: true });
      handlers.onOpen();
      this.watches.push({ path, version, handlers, end });
      this.notify();
    });
  }

  /** Resolves once `predicate` holds, re-checked after every call. */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Delivers an event as the real client does: a handler's throw ends the watch with that error. */
  feed(call: WatchCall, event: { type: string; object: Json }): void {
    try {
      call.handlers.onEvent(event);
    } catch (error: unknown) {
      call.end(error as Error);
    }
  }

  lastWatch(path: string): WatchCall {
    const found = this.watches.filter((call) => call.path === path).at(-1);
    if (found === undefined) throw new Error(`no watch of ${path}`);
    return found;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

const PATH = '/apis/networking.k8s.io/v1/networkpolicies';
const logger = createLogger({ level: 'silent' });
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((informer) => informer.stop()));
});

function informerOn(api: ScriptedApi, now: () => number = Date.now): { informer: Informer; state: ClusterState } {
  const state = new ClusterState();
  const informer = new Informer('networkpolicies', { api, state, logger, now });
  running.push(informer);
  informer.start();
  return { informer, state };
}

describe('the informer', () => {
  it('lists every page, then watches from the list’s resourceVersion', async () => {
    const api = new ScriptedApi();
    api.pages = [
      { items: [policy('a', '5')], resourceVersion: '10', continueToken: '1' },
      { items: [policy('b', '6')], resourceVersion: '10' },
    ];
    const { informer, state } = informerOn(api);
    await informer.synced$();
    expect(api.lists.map((call) => call.continueToken)).toEqual([undefined, '1']);
    expect(state.view(() => true).networkPolicies('shop')?.map((p) => p.name)).toEqual(['a', 'b']);
    await api.until(() => api.watches.length === 1);
    expect(api.lastWatch(PATH).version).toBe('10');
    expect(informer.health()).toMatchObject({ synced: true, objects: 2 });
  });

  it('applies ADDED, MODIFIED and DELETED, and resumes a watch the server ended from the last version seen, bookmarks included', async () => {
    const api = new ScriptedApi();
    const { informer, state } = informerOn(api);
    await informer.synced$();
    await api.until(() => api.watches.length === 1);
    const first = api.lastWatch(PATH);
    first.handlers.onEvent({ type: 'ADDED', object: policy('a', '11') });
    first.handlers.onEvent({ type: 'MODIFIED', object: policy('a', '12', { app: 'api' }) });
    first.handlers.onEvent({ type: 'ADDED', object: policy('b', '13') });
    first.handlers.onEvent({ type: 'DELETED', object: policy('b', '14') });
    first.handlers.onEvent({ type: 'BOOKMARK', object: { kind: 'NetworkPolicy', metadata: { resourceVersion: '20' } } });
    const policies = state.view(() => true).networkPolicies('shop') ?? [];
    expect(policies.map((p) => p.name)).toEqual(['a']);
    expect(policies[0]?.podSelector.requirements).toEqual([{ key: 'app', operator: 'In', values: ['api'] }]);
    first.end();
    await api.until(() => api.watches.length === 2);
    expect(api.lastWatch(PATH).version).toBe('20');
    expect(api.lists).toHaveLength(1);
  });

  it('lists again at once on 410 Gone, replacing what it held', async () => {
    const api = new ScriptedApi();
    api.pages = [{ items: [policy('old', '1')], resourceVersion: '1' }];
    const { informer, state } = informerOn(api);
    await informer.synced$();
    await api.until(() => api.watches.length === 1);
    api.pages = [{ items: [policy('new', '50')], resourceVersion: '50' }];
    api.feed(api.lastWatch(PATH), { type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } });
    await api.until(() => api.watches.length === 2);
    expect(api.lists).toHaveLength(2);
    expect(api.lastWatch(PATH).version).toBe('50');
    expect(state.view(() => true).networkPolicies('shop')?.map((p) => p.name)).toEqual(['new']);
  });

  it('retries a failed list, and counts as lost until it has one', async () => {
    const api = new ScriptedApi();
    api.listFailures = 1;
    const { informer } = informerOn(api);
    await api.until(() => api.lists.length === 1);
    expect(informer.health().synced).toBe(false);
    expect(informer.health().lostSince).toBeDefined();
    await informer.synced$();
    expect(api.lists.length).toBe(2);
    expect(informer.health().lostSince).toBeUndefined();
  });
});

describe('the live view', () => {
  it('answers only once every resource is listed, and stops trusting one whose watch is lost past the stale time', async () => {
    const api = new ScriptedApi();
    let clock = 1_000_000;
    const live = startLiveView({ api, logger, now: () => clock, staleAfterMs: 60_000 });
    running.push(live);
    await live.synced();
    await api.until(() => api.watches.length === 3);
    expect(live.view.networkPolicies('shop')).toEqual([]);
    expect(live.view.pods('shop')).toEqual([]);
    expect(live.staleness()).toBeUndefined();
    expect(live.health().usable).toBe(true);
    // The pods watch fails and every retry is refused: trusted for a while, then not.
    api.listFailures = 1_000;
    api.lastWatch('/api/v1/pods').end(new Error('connection reset'));
    await api.until(() => api.lists.filter((call) => call.path === '/api/v1/pods').length >= 2);
    clock += 30_000;
    expect(live.view.pods('shop')).toEqual([]);
    clock += 31_000;
    expect(live.view.pods('shop')).toBeUndefined();
    expect(live.view.networkPolicies('shop')).toEqual([]);
    expect(live.staleness()).toMatch(/^pods lost 61 s ago$/);
    expect(live.health().usable).toBe(false);
  });
});
