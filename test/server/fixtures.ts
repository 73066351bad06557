/** Shared inputs of the server tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/webhook-process.js';

/** examples/admission-review.json: a NetworkPolicy admitting 1.2.3.4/0, denied by netpol-world-ingress. */
export const EXAMPLE_REVIEW_PATH = join(ROOT, 'examples', 'admission-review.json');

interface ExampleReview {
  readonly request: { readonly uid: string } & Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** The example review, with another uid when given (the answer must echo it). */
export function exampleReview(uid?: string): ExampleReview {
  const review = JSON.parse(readFileSync(EXAMPLE_REVIEW_PATH, 'utf8')) as ExampleReview;
  return uid === undefined ? review : { ...review, request: { ...review.request, uid } };
}

/** A minimal policy file: enforcement plus the defaults for everything else. */
export function policyYaml(enforcement: 'enforce' | 'audit'): string {
  return ['apiVersion: kube-guardrails.io/v1alpha1', 'kind: GuardrailsPolicy', `enforcement: ${enforcement}`, ''].join('\n');
}
