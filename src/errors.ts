/**
 * The error catalogue: every error a user can meet carries one of these stable codes.
 * docs/errors.md documents each; a test keeps the two in step.
 */
export const ERROR_CODES = {
  KG_USAGE: 'The command line is wrong: unknown option, missing argument or bad value.',
  KG_INPUT_UNREADABLE: 'A manifest path or policy file cannot be read.',
  KG_BAD_MANIFEST: 'A manifest is not valid YAML or JSON, or a document is not a Kubernetes object.',
  KG_BAD_POLICY: 'The policy file does not match the schema; the message names the key.',
  KG_BAD_REVIEW: 'The webhook received something that is not a valid admission.k8s.io/v1 AdmissionReview.',
  KG_BODY_TOO_LARGE: 'The AdmissionReview body exceeds the size limit.',
  KG_RULE_FAILED: 'A rule threw while judging an object (a bug in kube-guardrails); onError decides the outcome.',
  KG_TLS: 'The serving certificate or key cannot be loaded.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class GuardrailsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GuardrailsError';
  }
}
