/**
 * Serving-certificate rotation without a restart. The files behind --tls-cert and
 * --tls-key live in a directory laid out like a Secret volume and are replaced the way
 * the kubelet does it (new files under temporary names, one rename over `..data`); new
 * connections then get the new certificate. A broken replacement is refused and the
 * previous certificate stays in use.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeClientCert, makePki, makeServingCert, removeTempDir, type Pem, type Pki } from '../helpers/pki.js';
import { answerOf, eventually, killLeftoverWebhooks, startWebhook, type Webhook } from '../helpers/webhook-process.js';
import { exampleReview } from './fixtures.js';
import { makeSecretVolume, replaceFile, updateSecretVolume, type SecretVolume } from './secret-volume.js';

const RELOADS = 'kube_guardrails_certificate_reloads_total';
const EXPIRY = 'kube_guardrails_certificate_expiry_timestamp_seconds';
const WAIT_MS = 10_000;
const GARBAGE_CERT = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';

/** The serial number of the certificate a brand-new connection (no agent, no session reuse) is served. */
async function servedSerial(webhook: Webhook, options: { cert?: string; key?: string } = {}): Promise<string> {
  const result = await webhook.get('/healthz', { agent: false, ...options });
  return result.peerCertificate.serialNumber;
}

function waitForServedSerial(webhook: Webhook, serial: string, options: { cert?: string; key?: string } = {}): Promise<true> {
  return eventually(`a new connection to present certificate ${serial}`, async () => ((await servedSerial(webhook, options)) === serial ? true : undefined), WAIT_MS);
}

describe('serving certificate reload (WATCH_INTERVAL_MS=100)', () => {
  let pki: Pki;
  let volume: SecretVolume;
  let webhook: Webhook;
  let second: Pem;

  beforeAll(async () => {
    pki = await makePki();
    second = await makeServingCert(pki.dir, pki.ca, 'server-2');
    volume = await makeSecretVolume(join(pki.dir, 'secret'), pki.server);
    webhook = await startWebhook({ args: ['--tls-cert', volume.certPath, '--tls-key', volume.keyPath], env: { WATCH_INTERVAL_MS: '100' }, ca: pki.ca.cert });
  });

  afterAll(async () => {
    await webhook.stop('SIGINT');
    await killLeftoverWebhooks();
    await removeTempDir(pki.dir);
  });

  it('serves the new certificate to new connections after the Secret files are replaced, and logs and counts the reload', async () => {
    expect(second.serialNumber).not.toBe(pki.server.serialNumber);
    expect(await servedSerial(webhook)).toBe(pki.server.serialNumber);
    expect(await webhook.metric(RELOADS, { outcome: 'success' })).toBeUndefined();

    await updateSecretVolume(volume, second);

    await waitForServedSerial(webhook, second.serialNumber);
    const reloaded = await webhook.waitForLog((line) => line.msg === 'serving certificate reloaded', WAIT_MS);
    expect(reloaded.level).toBe(30);
    expect(typeof reloaded.notAfter).toBe('string');
    await eventually('a counted successful reload', async () => webhook.metric(RELOADS, { outcome: 'success' }), WAIT_MS);
    // One rotation rewrites both files; it must be one reload. Give a second poll (100 ms) time to misfire.
    await sleep(1_000);
    expect(await webhook.metric(RELOADS, { outcome: 'success' })).toBe(1);
    expect(webhook.logs.filter((line) => line.msg === 'serving certificate reloaded')).toHaveLength(1);
    expect(await webhook.metric(RELOADS, { outcome: 'failure' })).toBeUndefined();

    // Reviews are still judged, over a connection verified against the CA.
    const review = await webhook.post(exampleReview('after-rotation'));
    expect(answerOf(review).response).toMatchObject({ uid: 'after-rotation', allowed: false });
  });

  it('keeps serving the previous certificate when the new certificate file is garbage, and logs and counts the refusal', async () => {
    const successesBefore = await webhook.metric(RELOADS, { outcome: 'success' });
    const expiryBefore = await webhook.metric(EXPIRY);
    expect(expiryBefore).toBeGreaterThan(Date.now() / 1000);

    await replaceFile(volume.certPath, GARBAGE_CERT);

    const refused = await webhook.waitForLog((line) => line.msg.startsWith('serving certificate reload refused'), WAIT_MS);
    expect(refused.level).toBe(50);
    expect(JSON.stringify(refused.err)).toContain('KG_TLS');
    expect(await eventually('a counted failed reload', async () => webhook.metric(RELOADS, { outcome: 'failure' }), WAIT_MS)).toBe(1);
    expect(await webhook.metric(RELOADS, { outcome: 'success' })).toBe(successesBefore);
    expect(await webhook.metric(EXPIRY)).toBe(expiryBefore);

    expect(await servedSerial(webhook)).toBe(second.serialNumber);
    const review = await webhook.post(exampleReview('after-refusal'));
    expect(answerOf(review).response).toMatchObject({ uid: 'after-refusal', allowed: false });
  });
});

describe('serving certificate reload with --client-ca', () => {
  let pki: Pki;
  let volume: SecretVolume;
  let webhook: Webhook;
  let client: Pem;
  let second: Pem;

  beforeAll(async () => {
    pki = await makePki();
    const clientCa = await makeCa(pki.dir, 'client-ca');
    [client, second] = await Promise.all([makeClientCert(pki.dir, clientCa, 'apiserver-client'), makeServingCert(pki.dir, pki.ca, 'server-2')]);
    volume = await makeSecretVolume(join(pki.dir, 'secret'), pki.server);
    webhook = await startWebhook({
      args: ['--tls-cert', volume.certPath, '--tls-key', volume.keyPath, '--client-ca', clientCa.certPath],
      env: { WATCH_INTERVAL_MS: '100' },
      ca: pki.ca.cert,
    });
  });

  afterAll(async () => {
    await webhook.stop('SIGINT');
    await killLeftoverWebhooks();
    await removeTempDir(pki.dir);
  });

  it('still requires a client certificate from the client CA after the serving certificate is rotated', async () => {
    const credentials = { cert: client.cert, key: client.key };
    expect(await servedSerial(webhook, credentials)).toBe(pki.server.serialNumber);

    await updateSecretVolume(volume, second);
    await waitForServedSerial(webhook, second.serialNumber, credentials);

    await expect(webhook.get('/healthz')).rejects.toThrow(/alert certificate required/);
    await expect(webhook.get('/healthz', { cert: pki.client.cert, key: pki.client.key })).rejects.toThrow(/socket hang up|ECONNRESET|alert/);
    const review = await webhook.post(exampleReview('mtls-after-rotation'), credentials);
    expect(answerOf(review).response).toMatchObject({ uid: 'mtls-after-rotation', allowed: false });
  });
});
