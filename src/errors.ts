/**
 * The error catalogue: every error a user can meet carries one of these stable codes,
 * with what it means, the HTTP status the webhook answers it with, and the exit status
 * the CLI ends with. docs/errors.md documents each, and a test holds the two equal.
 */
export interface ErrorSpec {
  readonly meaning: string;
  /** The webhook's HTTP status for it, where the webhook can meet it. */
  readonly httpStatus?: number;
  /** The CLI's exit status for it, where the CLI can meet it. */
  readonly exitStatus?: number;
}

/** Exit statuses: 0 nothing denied, 1 something denied, 2 usage or input errors, 70 our bug (EX_SOFTWARE). */
export const EXIT = { clean: 0, denied: 1, usage: 2, internal: 70 } as const;

export const ERRORS = {
  KG_USAGE: { meaning: 'The command line or the environment is wrong: unknown option, missing argument or bad value.', exitStatus: EXIT.usage },
  KG_INPUT_UNREADABLE: { meaning: 'A manifest path or policy file cannot be read.', exitStatus: EXIT.usage },
  KG_BAD_MANIFEST: { meaning: 'A manifest is not valid YAML or JSON, or a document is not a Kubernetes object.', exitStatus: EXIT.usage },
  KG_BAD_POLICY: { meaning: 'The policy file does not match the schema; the message names the key.', exitStatus: EXIT.usage },
  KG_TLS: { meaning: 'The serving certificate or key cannot be loaded.', exitStatus: EXIT.usage },
  KG_CLUSTER_CONFIG: {
    meaning: 'The cluster credentials (KUBECONFIG, ~/.kube/config or the in-cluster ServiceAccount) cannot be read, or `CLUSTER_VIEW=on` found none.',
    exitStatus: EXIT.usage,
  },
  KG_CLUSTER_UNREACHABLE: {
    meaning: 'An audit could not read the cluster: the API server is unreachable, refused the credentials, or denied a list the audit needs (the message names it).',
    exitStatus: EXIT.usage,
  },
  KG_REPORTS_UNAVAILABLE: {
    meaning: 'An audit with `--reports` found no report API to write to: the OpenReports (or, with `--report-api wgpolicyk8s`, the PolicyReport) CRDs are not installed.',
    exitStatus: EXIT.usage,
  },
  KG_REPORT_WRITE_FAILED: { meaning: 'An audit with `--reports` could not write some reports (the log names each write); the others were written, and the next pass retries.', exitStatus: EXIT.usage },
  KG_BAD_REVIEW: { meaning: 'The webhook received something that is not a valid admission.k8s.io/v1 AdmissionReview.', httpStatus: 400 },
  KG_BODY_TOO_LARGE: { meaning: 'The AdmissionReview body exceeds the size limit.', httpStatus: 413 },
  KG_BAD_HTTP: { meaning: 'The request is not well-formed HTTP (bad framing or chunking); the connection is closed.', httpStatus: 400 },
  KG_HEADERS_TOO_LARGE: { meaning: 'The request headers exceed the size limit.', httpStatus: 431 },
  KG_REQUEST_TIMEOUT: { meaning: 'The request (headers and body) did not arrive within the request timeout.', httpStatus: 408 },
  KG_TLS_HANDSHAKE: { meaning: 'A client did not complete the TLS handshake within the request timeout, or offered what the server refuses; the connection is closed (counted, never answered).' },
  KG_NOT_FOUND: { meaning: 'No such route: the webhook serves POST /validate, /healthz, /readyz and /metrics.', httpStatus: 404 },
  KG_OVERLOADED: {
    meaning: 'The webhook has more reviews queued than it can answer within the caller’s deadline, and refused this one at once (with Retry-After) instead of answering it late.',
    httpStatus: 429,
  },
  KG_DEADLINE_PASSED: { meaning: 'The caller’s deadline (the API server’s `?timeout=`) passed before the review could be judged; it was not judged.', httpStatus: 503 },
  KG_REVIEW_BUDGET: {
    meaning: 'An object took more time or memory to judge than the per-review budget; it is answered (never left to time out) as a rule failure is: onError decides.',
  },
  KG_RULE_FAILED: { meaning: 'A rule threw while judging an object (a bug in kube-guardrails); onError decides the outcome.' },
  KG_INTERNAL: { meaning: 'An unexpected error in kube-guardrails itself (a bug); the log has the details.', httpStatus: 500, exitStatus: EXIT.internal },
} as const satisfies Readonly<Record<string, ErrorSpec>>;

export type ErrorCode = keyof typeof ERRORS;

export class GuardrailsError extends Error {
  /** Each problem on its own, when there are several (a policy file with three bad keys). */
  readonly problems: readonly string[];

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; problems?: readonly string[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GuardrailsError';
    this.problems = options?.problems ?? [message];
  }

  get httpStatus(): number {
    const spec: ErrorSpec = ERRORS[this.code];
    return spec.httpStatus ?? 500;
  }

  get exitStatus(): number {
    const spec: ErrorSpec = ERRORS[this.code];
    return spec.exitStatus ?? EXIT.internal;
  }
}

/** `Name: message` of anything thrown, for logs and failure records. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
