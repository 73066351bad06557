/**
 * The policy file's shape. Rule entries are checked against each rule's own parameter
 * schema in compile-policy.ts, so that an error names the rule and the key.
 */
import { z } from 'zod';
import { SELECTOR_OPERATORS } from '../core/kubernetes/label-selector.js';
import { DEFAULT_INTERNET_SHARE } from '../rules/shared/internet.js';
import { ACTIONS } from '../rules/types.js';

const POLICY_API_VERSION = 'kube-guardrails.io/v1alpha1';
const POLICY_KIND = 'GuardrailsPolicy';

const DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

const selectorRequirement = z
  .object({
    key: z.string().min(1),
    operator: z.enum(SELECTOR_OPERATORS),
    values: z.array(z.string()).optional(),
  })
  .strict();

const labelSelectorSchema = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z.array(selectorRequirement).optional(),
  })
  .strict();

const exemptionSchema = z
  .object({
    name: z.string().min(1).describe('Identifies the exemption in findings and reports.'),
    rules: z.array(z.string().min(1)).min(1).describe('Rule ids the exemption waives.'),
    namespaces: z.array(z.string().min(1)).default([]).describe('Namespace names or globs (e.g. `team-*`).'),
    objectSelector: labelSelectorSchema.optional().describe('Label selector on the object’s own labels.'),
    usernames: z.array(z.string().min(1)).default([]).describe('Requesting users (webhook only).'),
    groups: z.array(z.string().min(1)).default([]).describe('Requesting groups (webhook only).'),
    workloadPods: z
      .boolean()
      .default(false)
      .describe('With usernames or groups: also waive the objects that workload controllers create from templates (Pods of Deployments, Jobs of CronJobs) in the matching namespaces and labels.'),
    reason: z.string().min(1).describe('Why the exemption exists; shown with every waived finding.'),
    expires: z
      .string()
      .regex(DATE_OR_TIME, 'must be a date (2027-01-31) or an RFC 3339 time (2027-01-31T12:00:00Z)')
      .optional()
      .describe('After this date (inclusive) or time the exemption no longer applies and is reported as expired.'),
  })
  .strict();

export const policyFileSchema = z
  .object({
    apiVersion: z.literal(POLICY_API_VERSION).optional(),
    kind: z.literal(POLICY_KIND).optional(),
    enforcement: z.enum(['enforce', 'audit']).default('enforce'),
    onError: z.enum(['deny', 'allow']).default('deny'),
    updates: z.enum(['changed', 'strict']).default('changed'),
    internet: z
      .object({
        minPublicShare: z
          .number()
          .gt(0)
          .lte(1)
          .default(DEFAULT_INTERNET_SHARE)
          .describe('Share of the public IPv4 or IPv6 space that counts as the internet, for the world and broad-CIDR rules.'),
      })
      .strict()
      .default({ minPublicShare: DEFAULT_INTERNET_SHARE }),
    rules: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    exemptions: z.array(exemptionSchema).default([]),
  })
  .strict();

export const actionSchema = z.enum(ACTIONS as unknown as [string, ...string[]]);

export type ExemptionSpec = z.infer<typeof exemptionSchema>;
