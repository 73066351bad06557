/**
 * Keep-alive: the webhook keeps idle connections longer than the API server's 90 s idle
 * timeout (120 s), so the API server never reuses a connection the webhook is closing.
 */
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, removeTempDir, type Pki } from '../helpers/pki.js';
import { answerOf, killLeftoverWebhooks, startWebhook, type Webhook } from '../helpers/webhook-process.js';
import { exampleReview } from './fixtures.js';

/** Longer than Node's default keepAliveTimeout (5 s) and than the 4 s request timeout. */
const IDLE_MS = 5_500;

describe('keep-alive connections', () => {
  let pki: Pki;
  let webhook: Webhook;

  beforeAll(async () => {
    pki = await makePki();
    webhook = await startWebhook({ args: ['--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath], ca: pki.ca.cert });
  });

  afterAll(async () => {
    await webhook.stop('SIGINT');
    await killLeftoverWebhooks();
    await removeTempDir(pki.dir);
  });

  it('advertises an idle timeout of 120 s, above the API server’s 90 s', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const result = await webhook.post(exampleReview(), { agent });
      expect(result.status).toBe(200);
      expect(result.headers.connection).toBe('keep-alive');
      const keepAlive = String(result.headers['keep-alive']);
      expect(Number(/(?:^|,\s*)timeout=(\d+)/.exec(keepAlive)?.[1])).toBeGreaterThan(90);
      expect(keepAlive).toBe('timeout=120');
    } finally {
      agent.destroy();
    }
  });

  it('reuses a connection left idle longer than Node’s default keep-alive timeout and the request timeout', { timeout: 30_000 }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await webhook.post(exampleReview('keep-alive-1'), { agent });
      expect(first.reusedSocket).toBe(false);
      const idle = Object.values(agent.freeSockets).flat();
      expect(idle).toHaveLength(1);
      let closedWhileIdle = false;
      idle[0]?.once('close', () => (closedWhileIdle = true));

      await sleep(IDLE_MS);
      expect(closedWhileIdle, 'the server closed the idle connection').toBe(false);

      const second = await webhook.post(exampleReview('keep-alive-2'), { agent });
      expect(second.reusedSocket).toBe(true);
      expect(second.localPort).toBe(first.localPort);
      expect(answerOf(second).response).toMatchObject({ uid: 'keep-alive-2', allowed: false });
    } finally {
      agent.destroy();
    }
  });
});
