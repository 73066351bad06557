/**
 * HTTP errors of the webhook: short JSON with a stable code, never a stack. A bad
 * review is 400, a body over the limit 413; anything else is our bug, logged and 500.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { GuardrailsError, type ErrorCode } from '../errors.js';
import type { Metrics } from './metrics.js';

interface HttpError {
  readonly status: number;
  readonly code: ErrorCode | 'KG_INTERNAL' | 'KG_NOT_FOUND';
  readonly message: string;
}

const FASTIFY_CODES: Readonly<Record<string, HttpError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'KG_BODY_TOO_LARGE', message: 'the request body is larger than the limit' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'KG_BAD_REVIEW', message: 'the request body is empty' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 400, code: 'KG_BAD_REVIEW', message: 'the content type must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'KG_BAD_REVIEW', message: 'the content length does not match the body' },
};

function classify(error: FastifyError | GuardrailsError | Error): HttpError {
  if (error instanceof GuardrailsError) return { status: error.code === 'KG_BODY_TOO_LARGE' ? 413 : 400, code: error.code, message: error.message };
  const known = 'code' in error && typeof error.code === 'string' ? FASTIFY_CODES[error.code] : undefined;
  if (known !== undefined) return known;
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  // JSON syntax errors and prototype-poisoning refusals come from the body parser as 400s.
  if (status === 400) return { status, code: 'KG_BAD_REVIEW', message: `the body is not valid JSON: ${error.message}` };
  if (status === 413) return FASTIFY_CODES.FST_ERR_CTP_BODY_TOO_LARGE as HttpError;
  return { status: 500, code: 'KG_INTERNAL', message: 'internal error; see the webhook log' };
}

export function installErrorHandlers(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const http = classify(error);
    metrics.badRequests.inc({ code: http.code });
    if (http.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.warn({ code: http.code, reason: http.message }, 'bad request');
    void reply.code(http.status).send({ code: http.code, message: http.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 'KG_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` });
  });
}
