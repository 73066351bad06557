/**
 * HTTP the server cannot even parse is answered in our shape, `{code, message}` with a
 * code from the catalogue, and counted: Fastify's own client-error answer would carry
 * `{error, message, statusCode}` instead. Raw bytes over a real socket on loopback.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewServer, sampleValue, type ReviewServer } from '../helpers/review-server.js';

let server: ReviewServer;
let port = 0;

beforeAll(async () => {
  server = reviewServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  await server.close();
});

interface RawAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: unknown;
}

/** Sends raw bytes and reads until the server closes the connection. */
function exchange(bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: body === '' ? undefined : JSON.parse(body) });
    });
    socket.write(bytes);
  });
}

describe('client errors in our shape', () => {
  it.each([
    ['a malformed chunk size', 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n', 400, 'KG_BAD_HTTP'],
    ['a content length that is not a number', 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'KG_BAD_HTTP'],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400, 'KG_BAD_HTTP'],
    ['headers past the size limit', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'KG_HEADERS_TOO_LARGE'],
  ])('answers %s with %i and %s, then closes', async (_name, bytes, status, code) => {
    const answer = await exchange(bytes);
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatch(/\r\nContent-Type: application\/json/i);
    expect(answer.headers).toMatch(/\r\nConnection: close/i);
    expect(answer.body).toEqual({ code, message: expect.any(String) });
  });

  it('counts them by code', async () => {
    await exchange('HELLO\r\n\r\n');
    const text = await server.metricsText();
    expect(sampleValue(text, 'kube_guardrails_bad_requests_total', { code: 'KG_BAD_HTTP' })).toBeGreaterThanOrEqual(1);
  });

  it('answers an unknown route with KG_NOT_FOUND and counts it', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'KG_NOT_FOUND', message: 'no route GET /nowhere' });
    expect(sampleValue(await server.metricsText(), 'kube_guardrails_bad_requests_total', { code: 'KG_NOT_FOUND' })).toBeGreaterThanOrEqual(1);
  });
});
