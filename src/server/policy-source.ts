/**
 * The live policy. A changed file is read, validated, then swapped in with one
 * assignment; an invalid version is refused (logged, counted) and the last good
 * policy keeps serving. Each review reads `current()` once, so it sees one policy.
 */
import { GuardrailsError } from '../errors.js';
import { readPolicyFileText } from '../io/policy-file.js';
import type { Logger } from '../logger.js';
import { defaultPolicy, type Policy } from '../policy/policy.js';
import type { Rule } from '../rules/types.js';
import { watchFiles, type Watch } from './file-watch.js';
import type { Metrics } from './metrics.js';

export interface PolicySource {
  current(): Policy;
  /** The text the policy in force was read from; undefined for the built-in default. */
  currentText(): string | undefined;
  /** Reads the file again; resolves to whether the new policy was taken. */
  reload(): Promise<boolean>;
  close(): void;
}

interface PolicySourceOptions {
  readonly rules: readonly Rule[];
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'policyWarnings' | 'policyReloads'>;
  readonly watchIntervalMs: number;
  /** Told the new text after each reload that was taken. */
  readonly onReload?: (text: string) => void;
}

function staticPolicySource(policy: Policy): PolicySource {
  return { current: () => policy, currentText: () => undefined, reload: () => Promise.resolve(true), close: () => undefined };
}

/** Loads the policy once (failing fast if it is invalid), then follows the file. */
export async function openPolicySource(path: string | undefined, options: PolicySourceOptions): Promise<PolicySource> {
  if (path === undefined) return staticPolicySource(defaultPolicy(options.rules));
  const readPolicy = (file: string): Promise<{ readonly policy: Policy; readonly text: string }> => readPolicyFileText(file, options.rules);
  const { logger, metrics } = options;
  const announce = (taken: { readonly policy: Policy; readonly text: string }): Policy => {
    metrics.policyWarnings.set(taken.policy.warnings.length);
    for (const warning of taken.policy.warnings) logger.warn({ policy: path, warning }, 'policy warning: self-service exemption');
    text = taken.text;
    return taken.policy;
  };
  let text = '';
  let policy = announce(await readPolicy(path));
  const reload = async (): Promise<boolean> => {
    try {
      policy = announce(await readPolicy(path));
      options.onReload?.(text);
      metrics.policyReloads.inc({ outcome: 'success' });
      logger.info({ policy: path, enforcement: policy.enforcement }, 'policy reloaded');
      return true;
    } catch (error: unknown) {
      metrics.policyReloads.inc({ outcome: 'failure' });
      const code = error instanceof GuardrailsError ? error.code : 'KG_BAD_POLICY';
      logger.error({ policy: path, code, err: error }, 'policy reload refused; the last good policy stays in force');
      return false;
    }
  };
  const watch: Watch = watchFiles([path], options.watchIntervalMs, () => {
    void reload();
  });
  return {
    current: () => policy,
    currentText: () => text,
    reload,
    close: () => {
      watch.close();
    },
  };
}
