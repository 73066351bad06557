/**
 * Reads a policy file for the shells (`check`, `serve`): the one place where a policy
 * path becomes a Policy, with the same errors for both.
 */
import { GuardrailsError } from '../errors.js';
import { readText } from './files.js';
import type { Rule } from '../rules/types.js';
import { parsePolicy, type Policy } from '../policy/policy.js';

export async function readPolicyFile(path: string, rules: readonly Rule[]): Promise<Policy> {
  return (await readPolicyFileText(path, rules)).policy;
}

/** The policy and the text it was read from (a worker thread compiles its own from the text). */
export async function readPolicyFileText(path: string, rules: readonly Rule[]): Promise<{ readonly policy: Policy; readonly text: string }> {
  const text = await readText(path);
  try {
    return { policy: parsePolicy(text, rules), text };
  } catch (error: unknown) {
    if (error instanceof GuardrailsError && error.code === 'KG_BAD_POLICY') {
      throw new GuardrailsError('KG_BAD_POLICY', `invalid policy ${path}: ${error.message}`, { cause: error, problems: error.problems });
    }
    throw error;
  }
}
