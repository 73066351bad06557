/**
 * HTTP errors of the webhook: short JSON `{code, message}` with a stable code from the
 * catalogue, never a stack. Bad reviews and bodies are refused by the routes; malformed
 * HTTP, oversized headers and request timeouts by the socket handler below; anything
 * else is our bug, logged and answered 500 KG_INTERNAL.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ERRORS, GuardrailsError, type ErrorCode, type ErrorSpec } from '../errors.js';
import type { Metrics } from './metrics.js';

/** Seconds the API server is told to wait before it retries a shed review. */
export const RETRY_AFTER_SECONDS = 1;

interface HttpError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

function httpError(code: ErrorCode, message: string): HttpError {
  const spec: ErrorSpec = ERRORS[code];
  return { status: spec.httpStatus ?? 500, code, message };
}

const FASTIFY_CODES: Readonly<Record<string, HttpError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: httpError('KG_BODY_TOO_LARGE', 'the request body is larger than the limit'),
  FST_ERR_CTP_EMPTY_JSON_BODY: httpError('KG_BAD_REVIEW', 'the request body is empty'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: httpError('KG_BAD_REVIEW', 'the content type must be application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: httpError('KG_BAD_REVIEW', 'the content length does not match the body'),
};

function classify(error: FastifyError | GuardrailsError | Error): HttpError {
  if (error instanceof GuardrailsError) return httpError(error.code, error.message);
  const known = 'code' in error && typeof error.code === 'string' ? FASTIFY_CODES[error.code] : undefined;
  if (known !== undefined) return known;
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  // JSON syntax errors and prototype-poisoning refusals come from the body parser as 400s.
  if (status === 400) return httpError('KG_BAD_REVIEW', `the body is not valid JSON: ${error.message}`);
  if (status === 413) return httpError('KG_BODY_TOO_LARGE', 'the request body is larger than the limit');
  return httpError('KG_INTERNAL', 'internal error; see the webhook log');
}

export function installErrorHandlers(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const http = classify(error);
    metrics.badRequests.inc({ code: http.code });
    if (http.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.warn({ code: http.code, reason: http.message }, 'bad request');
    // A full review queue is load shed like any other: the API server retries on Retry-After.
    if (http.code === 'KG_OVERLOADED') void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    void reply.code(http.status).send({ code: http.code, message: http.message });
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.badRequests.inc({ code: 'KG_NOT_FOUND' });
    void reply.code(404).send({ code: 'KG_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` });
  });
}

/** Node's codes for client errors it meets before a request reaches Fastify. */
const CLIENT_ERRORS: Readonly<Record<string, HttpError>> = {
  ERR_HTTP_REQUEST_TIMEOUT: httpError('KG_REQUEST_TIMEOUT', 'the request did not arrive within the request timeout'),
  HPE_HEADER_OVERFLOW: httpError('KG_HEADERS_TOO_LARGE', 'the request headers are larger than the limit'),
};

const MALFORMED = httpError('KG_BAD_HTTP', 'the request is not well-formed HTTP');

/** A TLS failure (no handshake in time, a protocol the server refuses): there is no HTTP to answer in. */
function isTlsError(error: NodeJS.ErrnoException): boolean {
  return error.code !== undefined && (error.code.startsWith('ERR_TLS_') || error.code.startsWith('ERR_SSL_'));
}

/**
 * Answers an error on a socket that has no request yet (bad framing, header overflow,
 * timeout), then closes it. Node leaves closing to this handler once it is installed,
 * so every path ends the socket.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, metrics: Metrics): void {
  if (isTlsError(error)) {
    metrics.badRequests.inc({ code: 'KG_TLS_HANDSHAKE' });
    socket.destroy();
    return;
  }
  // A reset or a socket already gone has no one to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const http = (error.code === undefined ? undefined : CLIENT_ERRORS[error.code]) ?? MALFORMED;
  metrics.badRequests.inc({ code: http.code });
  const body = JSON.stringify({ code: http.code, message: http.message });
  socket.end(
    `HTTP/1.1 ${http.status} ${STATUS_CODES[http.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
