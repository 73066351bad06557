/**
 * The JSON body parser for AdmissionReviews: Fastify's own (secure-json-parse, which
 * refuses __proto__ and constructor.prototype keys) behind a nesting-depth limit.
 */
import type { FastifyInstance } from 'fastify';
import { GuardrailsError } from '../errors.js';

/** Deeper than any Pod or NetworkPolicy, managedFields included; shallower than an attack. */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Depth change of each character outside strings: +1 for { and [, -1 for } and ]. */
const DEPTH_STEP = new Int8Array(128);
DEPTH_STEP[0x7b] = 1;
DEPTH_STEP[0x5b] = 1;
DEPTH_STEP[0x7d] = -1;
DEPTH_STEP[0x5d] = -1;

/** Index just past the string that opens at `start` (a quote). */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i + 1;
    i += code === BACKSLASH ? 2 : 1;
  }
  return i;
}

/** Bracket depth outside strings, in one pass; true as soon as it passes `max`. */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = skipString(text, i);
      continue;
    }
    depth += code < 128 ? (DEPTH_STEP[code] ?? 0) : 0;
    if (depth > max) return true;
    i++;
  }
  return false;
}

export function useAdmissionJsonParser(app: FastifyInstance, bodyLimit: number): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  // JSON only: a review sent as text/plain is refused for its content type, not its shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(new GuardrailsError('KG_BAD_REVIEW', `the JSON nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    void parse(request, text, done);
  });
}
