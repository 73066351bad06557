/**
 * TLS of `kube-guardrails serve`: the serving certificate from --tls-cert/--tls-key, the
 * protocol versions it accepts, and the self-signed fallback that `npm start` and the
 * README's curl example rely on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makePki, removeTempDir, type Pki } from '../helpers/pki.js';
import { answerOf, killLeftoverWebhooks, ROOT, runServeToExit, startWebhook, type Webhook } from '../helpers/webhook-process.js';
import { exampleReview } from './fixtures.js';

afterAll(killLeftoverWebhooks);

describe('serve with a CA-signed certificate (--tls-cert, --tls-key)', () => {
  let pki: Pki;
  let webhook: Webhook;

  beforeAll(async () => {
    pki = await makePki();
    webhook = await startWebhook({ args: ['--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath], ca: pki.ca.cert });
  });

  afterAll(async () => {
    await webhook.stop('SIGINT');
    await removeTempDir(pki.dir);
  });

  it('presents the given certificate, which verifies against the CA for 127.0.0.1', async () => {
    const result = await webhook.post(exampleReview(), { rejectUnauthorized: true });
    expect(result.status).toBe(200);
    expect(result.peerCertificate.serialNumber).toBe(pki.server.serialNumber);
    expect(result.peerCertificate.subjectaltname).toContain('IP Address:127.0.0.1');
    expect(answerOf(result).response.allowed).toBe(false);
  });

  it('fails verification for a client that trusts another CA only', async () => {
    const otherCa = await makeCa(pki.dir, 'other-ca');
    await expect(webhook.post(exampleReview(), { ca: otherCa.cert, rejectUnauthorized: true })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('negotiates TLS 1.3 by default', async () => {
    const result = await webhook.get('/healthz');
    expect(result.status).toBe(200);
    expect(result.protocol).toBe('TLSv1.3');
  });

  it('refuses a client limited to TLS 1.1 with a protocol-version alert', async () => {
    // The client really offers TLS 1.0–1.1 (SECLEVEL=0 lifts OpenSSL's own floor), so the refusal is the server's.
    const attempt = webhook.get('/healthz', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    await expect(attempt).rejects.toThrow(/alert protocol version/);
  });

  it('accepts a client that offers TLS 1.2 only (the minimum is 1.2)', async () => {
    const result = await webhook.post(exampleReview(), { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(result.status).toBe(200);
    expect(result.protocol).toBe('TLSv1.2');
    expect(answerOf(result).response.allowed).toBe(false);
  });
});

/** The JSON line the README shows as the answer of its curl example. */
function readmeCurlAnswer(): unknown {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /\$ curl [^\n]*examples\/admission-review\.json\n(\{[^\n]*\})\n/.exec(readme);
  if (match?.[1] === undefined) throw new Error('README.md has no curl example with examples/admission-review.json');
  return JSON.parse(match[1]);
}

describe('serve without --tls-cert', () => {
  let webhook: Webhook | undefined;

  afterEach(async () => {
    await webhook?.stop('SIGINT');
    webhook = undefined;
  });

  it('serves a self-signed certificate for localhost and denies the README example review with netpol-world-ingress', async () => {
    webhook = await startWebhook();
    const warning = webhook.logs.find((line) => line.msg.includes('self-signed certificate for localhost'));
    expect(warning, 'a log line announcing the self-signed certificate').toBeDefined();
    expect(warning?.level).toBe(40);
    expect(warning?.subjectAltName).toContain('DNS:localhost');

    // curl -sk https://localhost:8443/validate -H 'Content-Type: application/json' -d @examples/admission-review.json
    const result = await webhook.post(exampleReview(), { rejectUnauthorized: false });
    expect(result.status).toBe(200);
    expect(result.peerCertificate.subjectaltname).toContain('IP Address:127.0.0.1');
    const answer = answerOf(result);
    expect(answer.response).toMatchObject({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: false, status: { code: 403, reason: 'Forbidden' } });
    expect(answer.response.status?.message).toMatch(/^\[netpol-world-ingress\] /);
    expect(answer).toEqual(readmeCurlAnswer());
  });
});

describe('serve with a serving key that does not match the certificate', () => {
  it('exits with status 2 and one KG_TLS line on stderr, without a stack trace', async () => {
    const pki = await makePki();
    try {
      const result = await runServeToExit(['--tls-cert', pki.server.certPath, '--tls-key', pki.client.keyPath]);
      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^kube-guardrails: KG_TLS: invalid serving certificate .*server\.crt or key .*client\.key: /);
      expect(result.stdout).not.toContain('kube-guardrails webhook ready');
    } finally {
      await removeTempDir(pki.dir);
    }
  });
});
