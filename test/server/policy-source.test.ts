/**
 * The webhook's policy source reports what is legal but unsafe in the policy it takes:
 * each self-service exemption is a warning in the log, and their number a gauge, at
 * start and after every reload.
 */
import { Writable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { RULES } from '../../src/rules/index.js';
import { createMetrics } from '../../src/server/metrics.js';
import { openPolicySource } from '../../src/server/policy-source.js';
import { makeTempDir, removeTempDir } from '../helpers/pki.js';
import { sampleValue } from '../helpers/review-server.js';

const GLOB_EXEMPTION = 'exemptions:\n  - {name: sandboxes, rules: [pod-host-network], namespaces: ["sandbox-*"], reason: labs}\n';
const NAMED_EXEMPTION = 'exemptions:\n  - {name: agents, rules: [pod-host-network], namespaces: [monitoring], reason: node exporters}\n';

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir();
});

afterAll(async () => {
  await removeTempDir(dir);
});

describe('policy warnings in the webhook', () => {
  it('logs a warning per self-service exemption and sets the gauge, at load and on reload', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const metrics = createMetrics({ defaultMetrics: false });
    const path = join(dir, 'policy.yaml');
    await writeFile(path, GLOB_EXEMPTION);
    const source = await openPolicySource(path, { rules: RULES, logger: createLogger({ level: 'info', destination }), metrics, watchIntervalMs: 60_000 });
    try {
      const warnings = lines.map((line) => JSON.parse(line) as { msg: string; warning?: string }).filter((line) => line.warning !== undefined);
      expect(warnings).toEqual([expect.objectContaining({ msg: 'policy warning: self-service exemption', warning: expect.stringContaining('"sandbox-*"') })]);
      expect(sampleValue(await metrics.registry.metrics(), 'kube_guardrails_policy_warnings')).toBe(1);
      await writeFile(path, NAMED_EXEMPTION);
      expect(await source.reload()).toBe(true);
      expect(sampleValue(await metrics.registry.metrics(), 'kube_guardrails_policy_warnings')).toBe(0);
    } finally {
      source.close();
    }
  });
});
