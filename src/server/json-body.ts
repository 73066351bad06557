/**
 * The JSON body parser for AdmissionReviews: Fastify's own (secure-json-parse, which
 * refuses __proto__ and constructor.prototype keys) behind a nesting-depth limit. A body
 * larger than the inline limit is left as text (a LargeBody) for the review pool, which
 * parses it off the event loop.
 */
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
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
export function nestsDeeperThan(text: string, max: number): boolean {
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

/** A body too large to parse and judge on the event loop, kept as its text. */
export class LargeBody {
  constructor(readonly text: string) {}
}

export const DEPTH_ERROR_MESSAGE = `the JSON nests deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * The one reading of a review body, on the event loop and on a review worker alike:
 * JSON within the depth limit, with __proto__ and constructor.prototype keys refused.
 */
export function parseReviewJson(text: string): unknown {
  if (text.length === 0) throw new GuardrailsError('KG_BAD_REVIEW', 'the request body is empty');
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new GuardrailsError('KG_BAD_REVIEW', DEPTH_ERROR_MESSAGE);
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error: unknown) {
    throw new GuardrailsError('KG_BAD_REVIEW', `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function useAdmissionJsonParser(app: FastifyInstance, limits: { readonly bodyLimitBytes: number; readonly inlineBodyMaxBytes: number }): void {
  // JSON only: a review sent as text/plain is refused for its content type, not its shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limits.bodyLimitBytes }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length > limits.inlineBodyMaxBytes) {
      done(null, new LargeBody(text));
      return;
    }
    try {
      done(null, parseReviewJson(text));
    } catch (error: unknown) {
      done(error as GuardrailsError, undefined);
    }
  });
}
