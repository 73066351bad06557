/**
 * One rotation of a Secret-mounted certificate and key is one reload: the file watcher
 * coalesces the two changes (it once reloaded, logged and counted each file separately).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, makeServingCert, removeTempDir, type Pem, type Pki } from '../helpers/pki.js';
import { eventually, killLeftoverWebhooks, startWebhook, type Webhook } from '../helpers/webhook-process.js';
import { makeSecretVolume, updateSecretVolume, type SecretVolume } from './secret-volume.js';

const RELOADS = 'kube_guardrails_certificate_reloads_total';

describe('certificate rotation', () => {
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

  it('counts and logs one rotation of the certificate and key as one reload', async () => {
    await updateSecretVolume(volume, second);
    await eventually('the new certificate', async () => ((await webhook.get('/healthz')).peerCertificate.serialNumber === second.serialNumber ? true : undefined));
    // Give the other file's poller (100 ms) ample time to fire as well.
    for (let i = 0; i < 15 && ((await webhook.metric(RELOADS, { outcome: 'success' })) ?? 0) < 2; i++) await sleep(100);
    expect(await webhook.metric(RELOADS, { outcome: 'success' })).toBe(1);
    expect(webhook.logs.filter((line) => line.msg === 'serving certificate reloaded')).toHaveLength(1);
  });
});
