/**
 * --client-ca: only clients with a certificate signed by that CA (the API server's
 * client certificate) get past the TLS handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeClientCert, makePki, removeTempDir, type Pem, type Pki } from '../helpers/pki.js';
import { answerOf, killLeftoverWebhooks, startWebhook, type HttpResult, type Webhook } from '../helpers/webhook-process.js';
import { exampleReview } from './fixtures.js';

/**
 * How the refusal reaches the client. Without a certificate OpenSSL itself fails the TLS
 * 1.3 handshake with a certificate_required alert; a certificate from an unknown CA is
 * rejected by Node right after the handshake (socket destroyed, no alert), which the HTTP
 * client sees as a hang-up before any response.
 */
const NO_CERTIFICATE = /alert certificate required/;
const TLS_REFUSAL = /alert certificate required|alert unknown ca|alert bad certificate|socket hang up|ECONNRESET/;

function decisions(webhook: Webhook): number {
  return webhook.logs.filter((line) => line.msg === 'admission decision').length;
}

describe('serve --client-ca', () => {
  let pki: Pki;
  let apiServerClient: Pem;
  let strangerClient: Pem;
  let webhook: Webhook;

  beforeAll(async () => {
    pki = await makePki();
    const clientCa = await makeCa(pki.dir, 'client-ca');
    const otherCa = await makeCa(pki.dir, 'other-ca');
    [apiServerClient, strangerClient] = await Promise.all([makeClientCert(pki.dir, clientCa, 'apiserver-client'), makeClientCert(pki.dir, otherCa, 'stranger-client')]);
    webhook = await startWebhook({
      args: ['--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath, '--client-ca', clientCa.certPath],
      ca: pki.ca.cert,
    });
  });

  afterAll(async () => {
    await webhook.stop('SIGINT');
    await killLeftoverWebhooks();
    await removeTempDir(pki.dir);
  });

  it('logs that client authentication is on', () => {
    expect(webhook.logs.find((line) => line.msg === 'kube-guardrails webhook ready')?.clientAuth).toBe(true);
  });

  it('refuses a client without a certificate at the TLS layer, before any review is read', async () => {
    const before = decisions(webhook);
    await expect(webhook.post(exampleReview())).rejects.toThrow(NO_CERTIFICATE);
    await expect(webhook.get('/healthz')).rejects.toThrow(NO_CERTIFICATE);
    expect(decisions(webhook)).toBe(before);
  });

  it('answers a client whose certificate is signed by the client CA with a decision', async () => {
    const result: HttpResult = await webhook.post(exampleReview('client-ca-1'), { cert: apiServerClient.cert, key: apiServerClient.key });
    expect(result.status).toBe(200);
    expect(answerOf(result).response).toMatchObject({ uid: 'client-ca-1', allowed: false });
  });

  it('refuses a client whose certificate is signed by another CA', async () => {
    const before = decisions(webhook);
    await expect(webhook.post(exampleReview(), { cert: strangerClient.cert, key: strangerClient.key })).rejects.toThrow(TLS_REFUSAL);
    expect(decisions(webhook)).toBe(before);
  });

  it('refuses a client certificate signed by the serving CA, which is not the client CA', async () => {
    await expect(webhook.post(exampleReview(), { cert: pki.client.cert, key: pki.client.key })).rejects.toThrow(TLS_REFUSAL);
  });
});
