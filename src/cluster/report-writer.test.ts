import { describe, expect, it } from 'vitest';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { GuardrailsError } from '../errors.js';
import { capturingLogger } from '../../test/helpers/capturing-logger.js';
import type { ReportWrite } from '../report/report-plan.js';
import { ApiStatusError, type KubeApi, type KubeRequests, type ListPage, type RequestMethod } from './kube-api.js';
import { applyReportWrites, listManagedReports, RateLimit } from './report-writer.js';

describe('RateLimit', () => {
  it('lets a burst through at once, then spaces writes at the rate', () => {
    let clock = 1_000_000;
    const limit = new RateLimit(4, 3, () => clock);
    expect([limit.take(), limit.take(), limit.take()]).toEqual([0, 0, 0]);
    // The bucket is empty: the next token comes in 1/4 s, the one after in 2/4 s.
    expect(limit.take()).toBe(250);
    expect(limit.take()).toBe(500);
    clock += 500;
    // Half a second refilled two tokens, both already promised: the next waits a quarter second.
    expect(limit.take()).toBe(250);
  });

  it('refills at the rate as time passes', () => {
    let clock = 0;
    const limit = new RateLimit(10, 1, () => clock);
    expect(limit.take()).toBe(0);
    expect(limit.take()).toBe(100);
    // 100 ms repaid the token promised; the next is promised for 100 ms on.
    clock += 100;
    expect(limit.take()).toBe(100);
    clock += 1000;
    expect(limit.take()).toBe(0);
  });

  it('never holds more than its burst, however long it was idle', () => {
    let clock = 0;
    const limit = new RateLimit(2, 2, () => clock);
    clock += 3_600_000;
    expect([limit.take(), limit.take(), limit.take()]).toEqual([0, 0, 500]);
  });

  it('waits in whole milliseconds, rounded up, at a slow rate', () => {
    let clock = 0;
    const limit = new RateLimit(0.1, 1, () => clock);
    expect(limit.take()).toBe(0);
    expect(limit.take()).toBe(10_000);
    clock += 3;
    const rate = new RateLimit(3, 1, () => clock);
    rate.take();
    expect(rate.take()).toBe(334);
  });
});

interface SentRequest {
  readonly method: RequestMethod;
  readonly path: string;
  readonly body: JsonRecord | undefined;
}

/** Answers each write as `answer` says; records every request. */
function fakeRequests(answer: (method: RequestMethod, path: string) => JsonRecord | Error): { api: KubeRequests; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const api: KubeRequests = {
    send: (method, path, body) => {
      sent.push({ method, path, body });
      const outcome = answer(method, path);
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
  };
  return { api, sent };
}

const REPORTS = '/apis/openreports.io/v1alpha1/namespaces/team-a/reports';
const report = (name: string): JsonRecord => ({ apiVersion: 'openreports.io/v1alpha1', kind: 'Report', metadata: { name: `kube-guardrails-${name}`, namespace: 'team-a' } });
const post = (name: string): ReportWrite => ({ method: 'POST', path: REPORTS, body: report(name) });
const put = (name: string): ReportWrite => ({ method: 'PUT', path: `${REPORTS}/kube-guardrails-${name}`, body: { ...report(name), metadata: { name: `kube-guardrails-${name}`, namespace: 'team-a', resourceVersion: '12' } } });
const del = (name: string): ReportWrite => ({ method: 'DELETE', path: `${REPORTS}/kube-guardrails-${name}` });

const unlimited = (): RateLimit => new RateLimit(1_000_000, 1_000_000);

describe('applyReportWrites', () => {
  it('keeps a few writes in flight, never more than four, and sends every one', async () => {
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const api: KubeRequests = {
      send: async (_method, path, body) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        sent.push(`${path}/${(body?.metadata as { name: string }).name}`);
        inFlight -= 1;
        return {};
      },
    };
    const { logger } = capturingLogger();
    const outcome = await applyReportWrites(api, Array.from({ length: 10 }, (_, i) => post(`w${String(i)}`)), unlimited(), { logger, signal: new AbortController().signal });
    expect(outcome.created).toBe(10);
    expect(new Set(sent).size).toBe(10);
    expect(most).toBe(4);
  });

  it('sends each write in order and counts what it did', async () => {
    const { api, sent } = fakeRequests(() => ({}));
    const { logger } = capturingLogger();
    const writes = [del('gone'), post('new-1'), post('new-2'), put('changed')];
    const outcome = await applyReportWrites(api, writes, unlimited(), { logger, signal: new AbortController().signal });
    expect(outcome).toEqual({ created: 2, replaced: 1, deleted: 1, failed: 0 });
    expect(sent).toEqual(writes.map((write) => ({ method: write.method, path: write.path, body: write.body })));
  });

  it('takes a deletion of what is already gone as done, not as a failure', async () => {
    const { api } = fakeRequests(() => new ApiStatusError(404, 'reports.openreports.io "kube-guardrails-gone" not found'));
    const { logger, lines } = capturingLogger();
    const outcome = await applyReportWrites(api, [del('gone')], unlimited(), { logger, signal: new AbortController().signal });
    expect(outcome).toEqual({ created: 0, replaced: 0, deleted: 0, failed: 0 });
    expect(lines()).toEqual([]);
  });

  it('counts a failed write, logs it by name, and goes on with the others', async () => {
    const { api, sent } = fakeRequests((method, path) => {
      if (method === 'PUT') return new ApiStatusError(409, 'the object has been modified; please apply your changes to the latest version and try again');
      if (method === 'POST' && path === REPORTS && sent.length === 1) return new ApiStatusError(404, 'namespaces "team-a" not found');
      if (method === 'DELETE') return new ApiStatusError(500, 'etcdserver: request timed out');
      return {};
    });
    const { logger, lines } = capturingLogger();
    const outcome = await applyReportWrites(api, [post('first'), put('changed'), del('stale'), post('second')], unlimited(), { logger, signal: new AbortController().signal });
    expect(outcome).toEqual({ created: 1, replaced: 0, deleted: 0, failed: 3 });
    expect(sent.map((request) => request.method)).toEqual(['POST', 'PUT', 'DELETE', 'POST']);
    const warnings = lines().filter((line) => line.level === 40);
    expect(warnings.map((line) => line.write)).toEqual([
      `POST ${REPORTS}/kube-guardrails-first`,
      `PUT ${REPORTS}/kube-guardrails-changed`,
      `DELETE ${REPORTS}/kube-guardrails-stale`,
    ]);
    expect(warnings.every((line) => line.msg === 'report write failed; the next pass retries it')).toBe(true);
    expect(String(warnings[1]?.err)).toContain('the object has been modified');
  });

  it('sends nothing once the signal is aborted', async () => {
    const { api, sent } = fakeRequests(() => ({}));
    const { logger } = capturingLogger();
    const controller = new AbortController();
    controller.abort();
    const outcome = await applyReportWrites(api, [post('a'), post('b')], unlimited(), { logger, signal: controller.signal });
    expect(outcome).toEqual({ created: 0, replaced: 0, deleted: 0, failed: 0 });
    expect(sent).toEqual([]);
  });

  it('starts no write once aborted midway', async () => {
    const controller = new AbortController();
    const { api, sent } = fakeRequests(() => {
      controller.abort();
      return {};
    });
    const { logger } = capturingLogger();
    const writes = Array.from({ length: 12 }, (_, i) => post(`w${String(i)}`));
    const outcome = await applyReportWrites(api, writes, unlimited(), { logger, signal: controller.signal });
    // The writes already in flight (at most four) finish; no new one starts.
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(4);
    expect(outcome.created).toBe(sent.length);
  });

  it('sends nothing more once aborted while waiting its turn of the rate limit', async () => {
    const { api, sent } = fakeRequests(() => ({}));
    const { logger, lines } = capturingLogger();
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 20);
    const outcome = await applyReportWrites(api, [post('a'), post('b'), post('c')], new RateLimit(10, 1), { logger, signal: controller.signal });
    expect(outcome).toEqual({ created: 1, replaced: 0, deleted: 0, failed: 0 });
    expect(sent).toHaveLength(1);
    expect(lines()).toEqual([]);
  });

  it('waits its turn of the rate limit before each write', async () => {
    const { api, sent } = fakeRequests(() => ({}));
    const { logger } = capturingLogger();
    const times: number[] = [];
    const timed: KubeRequests = {
      send: (method, path, body, signal) => {
        times.push(performance.now());
        return api.send(method, path, body, signal);
      },
    };
    // One write at once, then one every 40 ms.
    const outcome = await applyReportWrites(timed, [post('a'), post('b'), post('c')], new RateLimit(25, 1), { logger, signal: new AbortController().signal });
    expect(outcome.created).toBe(3);
    expect(sent).toHaveLength(3);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(70);
  });
});

/** A KubeApi whose lists are served from fixed pages per path; records every list call. */
function fakeLists(pages: Record<string, readonly (readonly JsonRecord[])[]> | Error): { api: KubeApi; calls: { path: string; limit: number; continueToken: string | undefined }[] } {
  const calls: { path: string; limit: number; continueToken: string | undefined }[] = [];
  const api: KubeApi = {
    server: 'https://10.96.0.1:443',
    list: (path, limit, continueToken) => {
      calls.push({ path, limit, continueToken });
      if (pages instanceof Error) return Promise.reject(pages);
      const all = pages[path] ?? [[]];
      const index = continueToken === undefined ? 0 : Number(continueToken);
      const page: ListPage = { items: all[index] ?? [], resourceVersion: '900', ...(index + 1 < all.length ? { continueToken: String(index + 1) } : {}) };
      return Promise.resolve(page);
    },
    watch: () => Promise.reject(new Error('not used')),
  };
  return { api, calls };
}

const SELECTOR = '?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkube-guardrails';

describe('listManagedReports', () => {
  it('lists the managed reports in every namespace and the cluster ones, following continue tokens', async () => {
    const { api, calls } = fakeLists({
      [`/apis/openreports.io/v1alpha1/reports${SELECTOR}`]: [[report('a'), report('b')], [report('c')]],
      [`/apis/openreports.io/v1alpha1/clusterreports${SELECTOR}`]: [[{ kind: 'ClusterReport', metadata: { name: 'kube-guardrails-ns' } }]],
    });
    const reports = await listManagedReports(api, 'openreports', undefined, new AbortController().signal);
    expect(reports.map((item) => (item.metadata as { name: string }).name)).toEqual(['kube-guardrails-a', 'kube-guardrails-b', 'kube-guardrails-c', 'kube-guardrails-ns']);
    expect(calls).toEqual(
      expect.arrayContaining([
        { path: `/apis/openreports.io/v1alpha1/reports${SELECTOR}`, limit: 500, continueToken: undefined },
        { path: `/apis/openreports.io/v1alpha1/reports${SELECTOR}`, limit: 500, continueToken: '1' },
        { path: `/apis/openreports.io/v1alpha1/clusterreports${SELECTOR}`, limit: 500, continueToken: undefined },
      ]),
    );
    expect(calls).toHaveLength(3);
  });

  it('lists one namespace’s reports, and still the cluster ones, for a namespace pass', async () => {
    const { api, calls } = fakeLists({});
    await listManagedReports(api, 'openreports', 'team-a', new AbortController().signal);
    expect(calls.map((call) => call.path).sort()).toEqual([`/apis/openreports.io/v1alpha1/clusterreports${SELECTOR}`, `/apis/openreports.io/v1alpha1/namespaces/team-a/reports${SELECTOR}`]);
  });

  it('lists the wgpolicyk8s kinds with that API', async () => {
    const { api, calls } = fakeLists({});
    await listManagedReports(api, 'wgpolicyk8s', undefined, new AbortController().signal);
    expect(calls.map((call) => call.path).sort()).toEqual([`/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports${SELECTOR}`, `/apis/wgpolicyk8s.io/v1alpha2/policyreports${SELECTOR}`]);
  });

  it('turns a 404 (the CRDs are not installed) into KG_REPORTS_UNAVAILABLE', async () => {
    const notFound = new ApiStatusError(404, 'the server could not find the requested resource');
    const { api } = fakeLists(notFound);
    const error = await listManagedReports(api, 'openreports', undefined, new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GuardrailsError);
    expect(error).toMatchObject({ code: 'KG_REPORTS_UNAVAILABLE', cause: notFound });
    expect((error as Error).message).toContain('openreports.io/v1alpha1 Report and ClusterReport');
    expect((error as Error).message).toContain('kubectl apply -k manifests/openreports/');
    const wg = await listManagedReports(fakeLists(notFound).api, 'wgpolicyk8s', 'team-a', new AbortController().signal).catch((caught: unknown) => caught);
    expect(wg).toMatchObject({ code: 'KG_REPORTS_UNAVAILABLE' });
    expect((wg as Error).message).toContain('wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport');
    expect((wg as Error).message).not.toContain('manifests/openreports');
  });

  it('passes any other refusal through as it is', async () => {
    const forbidden = new ApiStatusError(403, 'reports.openreports.io is forbidden: User "system:serviceaccount:kube-guardrails:audit" cannot list resource "reports"');
    const error = await listManagedReports(fakeLists(forbidden).api, 'openreports', undefined, new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toBe(forbidden);
  });
});
