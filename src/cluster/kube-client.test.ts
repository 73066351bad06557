import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './kube-client.js';

describe('retryAfterMs: which answers are retried, and after how long (as client-go)', () => {
  it('retries a 429 or 5xx that carries a Retry-After in whole seconds', () => {
    expect(retryAfterMs(429, '1')).toBe(1000);
    expect(retryAfterMs(503, '2')).toBe(2000);
    expect(retryAfterMs(500, ' 0 ')).toBe(0);
    expect(retryAfterMs(599, ['3', '9'])).toBe(3000);
  });

  it('waits at most 10 s whatever the server asks', () => {
    expect(retryAfterMs(429, '3600')).toBe(10_000);
  });

  it('does not retry what does not say when, nor what a retry cannot mend', () => {
    expect(retryAfterMs(429, undefined)).toBeUndefined();
    expect(retryAfterMs(503, 'Wed, 21 Oct 2026 07:28:00 GMT')).toBeUndefined();
    expect(retryAfterMs(503, '-1')).toBeUndefined();
    expect(retryAfterMs(409, '1')).toBeUndefined();
    expect(retryAfterMs(404, '1')).toBeUndefined();
    expect(retryAfterMs(600, '1')).toBeUndefined();
    expect(retryAfterMs(200, '1')).toBeUndefined();
  });
});
