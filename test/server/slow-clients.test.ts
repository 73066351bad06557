/**
 * Slow clients are cut off by REQUEST_TIMEOUT_MS, whatever they stall on: headers that
 * never end, a body that stops halfway, a TLS handshake that never starts. The first two
 * get a 408 in our shape, `{code: KG_REQUEST_TIMEOUT}`, well before Node's own defaults
 * (60 s for headers, 120 s for a handshake).
 */
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, removeTempDir, type Pki } from '../helpers/pki.js';
import { killLeftoverWebhooks, startWebhook, type Webhook } from '../helpers/webhook-process.js';

const TIMEOUT_MS = 1_000;
/** The deadline, plus the sweep that enforces it (every second) and some slack for a busy machine. */
const CUT_OFF_WITHIN_MS = TIMEOUT_MS + 2_500;

interface Ending {
  readonly text: string;
  readonly afterMs: number;
}

/** Sends `bytes` over TLS, then nothing: what the server answers, and when it closes. */
function stallOverTls(webhook: Webhook, ca: string, bytes: string): Promise<Ending> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const socket = connectTls({ host: '127.0.0.1', port: webhook.port, ca, servername: 'localhost' }, () => socket.write(bytes));
    socket.setTimeout(30_000, () => {
      socket.destroy();
      reject(new Error('not cut off within 30 s'));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve({ text: Buffer.concat(chunks).toString('utf8'), afterMs: Date.now() - started });
    });
  });
}

describe(`slow clients (REQUEST_TIMEOUT_MS=${TIMEOUT_MS})`, () => {
  let pki: Pki;
  let webhook: Webhook;

  beforeAll(async () => {
    pki = await makePki();
    webhook = await startWebhook({
      args: ['--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath],
      env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) },
      ca: pki.ca.cert,
    });
  });

  afterAll(async () => {
    await webhook.stop('SIGINT');
    await killLeftoverWebhooks();
    await removeTempDir(pki.dir);
  });

  it.each([
    ['headers that never end', 'POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n'],
    ['a body that stops halfway', 'POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":'],
  ])('answers %s with 408 KG_REQUEST_TIMEOUT within the deadline, and closes', async (_name, bytes) => {
    const ending = await stallOverTls(webhook, pki.ca.cert, bytes);
    expect(ending.afterMs).toBeLessThan(CUT_OFF_WITHIN_MS);
    expect(ending.text).toMatch(/^HTTP\/1\.1 408 /);
    const body = ending.text.split('\r\n\r\n')[1] ?? '';
    expect(JSON.parse(body)).toEqual({ code: 'KG_REQUEST_TIMEOUT', message: expect.any(String) });
  });

  it('closes a connection that never starts its TLS handshake within the deadline', async () => {
    const afterMs = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const socket = connectTcp(webhook.port, '127.0.0.1');
      socket.setTimeout(30_000, () => {
        socket.destroy();
        reject(new Error('not closed within 30 s'));
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        resolve(Date.now() - started);
      });
    });
    expect(afterMs).toBeLessThan(CUT_OFF_WITHIN_MS);
    expect(await webhook.metric('kube_guardrails_bad_requests_total', { code: 'KG_TLS_HANDSHAKE' })).toBeGreaterThanOrEqual(1);
  });
});
