/**
 * The live policy. A changed file is read, validated, then swapped in with one
 * assignment; an invalid version is refused (logged, counted) and the last good
 * policy keeps serving. Each review reads `current()` once, so it sees one policy.
 */
import { readFile } from 'node:fs/promises';
import { GuardrailsError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEFAULT_POLICY, parsePolicy, PolicyError, type Policy } from '../policy/policy.js';
import { watchFiles, type Watch } from './file-watch.js';
import type { Metrics } from './metrics.js';

export interface PolicySource {
  current(): Policy;
  /** Reads the file again; resolves to whether the new policy was taken. */
  reload(): Promise<boolean>;
  close(): void;
}

async function readPolicy(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new GuardrailsError('KG_INPUT_UNREADABLE', `cannot read policy ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parsePolicy(text);
  } catch (error: unknown) {
    if (error instanceof PolicyError) throw new GuardrailsError('KG_BAD_POLICY', `invalid policy ${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

export interface PolicySourceOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly watchIntervalMs: number;
}

export function staticPolicySource(policy: Policy = DEFAULT_POLICY): PolicySource {
  return { current: () => policy, reload: () => Promise.resolve(true), close: () => undefined };
}

/** Loads the policy once (failing fast if it is invalid), then follows the file. */
export async function openPolicySource(path: string | undefined, options: PolicySourceOptions): Promise<PolicySource> {
  if (path === undefined) return staticPolicySource();
  let policy = await readPolicy(path);
  const { logger, metrics } = options;
  const reload = async (): Promise<boolean> => {
    try {
      policy = await readPolicy(path);
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
    reload,
    close: () => {
      watch.close();
    },
  };
}
