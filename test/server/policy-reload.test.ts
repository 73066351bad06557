/**
 * `serve --policy FILE` follows the file: a valid new version takes over without a
 * restart, an invalid one is refused (logged, counted) and the last good policy keeps
 * serving. An invalid policy at start-up is a usage error: exit 2, one line on stderr.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, makeTempDir, removeTempDir, type Pki } from '../helpers/pki.js';
import { answerOf, eventually, killLeftoverWebhooks, runServeToExit, startWebhook, type ReviewAnswer, type Webhook } from '../helpers/webhook-process.js';
import { exampleReview, policyYaml } from './fixtures.js';
import { replaceFile } from './secret-volume.js';

const RELOADS = 'kube_guardrails_policy_reloads_total';
const WAIT_MS = 10_000;
const INVALID_POLICY = 'apiVersion: kube-guardrails.io/v1alpha1\nkind: GuardrailsPolicy\nrules: {nope: {}}\n';
const STACK_FRAME = /^\s+at .+[(:]\d+/m;

afterAll(killLeftoverWebhooks);

async function judge(webhook: Webhook, uid: string): Promise<ReviewAnswer['response']> {
  const result = await webhook.post(exampleReview(uid));
  expect(result.status).toBe(200);
  const answer = answerOf(result);
  expect(answer.response.uid).toBe(uid);
  return answer.response;
}

describe('policy reload (serve --policy FILE, WATCH_INTERVAL_MS=100)', () => {
  let pki: Pki;
  let policyPath: string;
  let webhook: Webhook;

  beforeAll(async () => {
    pki = await makePki();
    policyPath = join(pki.dir, 'policy.yaml');
    await writeFile(policyPath, policyYaml('enforce'));
    webhook = await startWebhook({
      args: ['--policy', policyPath, '--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath],
      env: { WATCH_INTERVAL_MS: '100' },
      ca: pki.ca.cert,
    });
  });

  afterAll(async () => {
    await webhook.stop('SIGINT');
    await removeTempDir(pki.dir);
  });

  it('denies the example review under the enforce policy it started with', async () => {
    expect(webhook.logs.find((line) => line.msg === 'kube-guardrails webhook ready')?.policy).toBe(policyPath);
    const response = await judge(webhook, 'enforce-1');
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/^\[netpol-world-ingress\] /);
  });

  it('allows the same review with a warning once the file says enforcement: audit', async () => {
    await replaceFile(policyPath, policyYaml('audit'));
    let attempt = 0;
    const response = await eventually('the audit policy to be in force', async () => {
      const current = await judge(webhook, `audit-${++attempt}`);
      return current.allowed ? current : undefined;
    }, WAIT_MS, 100);
    expect(response.status).toBeUndefined();
    expect(response.warnings?.some((warning) => warning.startsWith('[netpol-world-ingress] '))).toBe(true);
    const reloaded = await webhook.waitForLog((line) => line.msg === 'policy reloaded', WAIT_MS);
    expect(reloaded).toMatchObject({ policy: policyPath, enforcement: 'audit' });
    expect(await webhook.metric(RELOADS, { outcome: 'success' })).toBe(1);
  });

  it('refuses an invalid version with an error log line and a failure count, and keeps the last good (audit) policy', async () => {
    await replaceFile(policyPath, INVALID_POLICY);
    const refused = await webhook.waitForLog((line) => line.msg.startsWith('policy reload refused'), WAIT_MS);
    expect(refused).toMatchObject({ level: 50, policy: policyPath, code: 'KG_BAD_POLICY' });
    expect(JSON.stringify(refused.err)).toContain('nope');
    expect(await eventually('a counted failed reload', async () => webhook.metric(RELOADS, { outcome: 'failure' }), WAIT_MS)).toBe(1);
    expect(await webhook.metric(RELOADS, { outcome: 'success' })).toBe(1);

    const response = await judge(webhook, 'after-invalid');
    expect(response.allowed).toBe(true);
    expect(response.warnings?.some((warning) => warning.startsWith('[netpol-world-ingress] '))).toBe(true);
    expect((await webhook.get('/readyz')).status).toBe(200);
  });
});

describe('serve with an invalid policy at start-up', () => {
  it('exits with status 2 and one line on stderr naming the problem, without a stack trace', async () => {
    const dir = await makeTempDir('kg-policy-');
    try {
      const policyPath = join(dir, 'policy.yaml');
      await writeFile(policyPath, INVALID_POLICY);
      const result = await runServeToExit(['--policy', policyPath]);
      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^kube-guardrails: KG_BAD_POLICY: invalid policy .*policy\.yaml: rules\.nope: unknown rule/);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stdout).not.toContain('kube-guardrails webhook ready');
    } finally {
      await removeTempDir(dir);
    }
  });
});
