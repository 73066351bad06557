/**
 * Awkward but real input: trailing `---`, alias bombs, typos, a closed pipe, linked
 * directories, and waived findings in every output. Each case was once a defect.
 */
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeTempDir, parseJsonReport, removeTempDir, ROOT, ruleFixture, runCli, STACK_FRAME, startCli, stderrLines, type CliResult } from './helpers.js';

const WORLD = ruleFixture('netpol-world-ingress', 'fail', 'cidr-all-ipv4');

describe('check stays robust on awkward input', () => {
  it('skips empty YAML documents, such as the one after a trailing ---, instead of rejecting the file', async () => {
    const result = await runCli(['check', '--output', 'json', `${FIXTURES}/awkward/trailing-separator.yaml`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(parseJsonReport(result.stdout).results.map((entry) => entry.name)).toEqual(['on-host-network']);
  });

  it('rejects a YAML alias bomb as an input error (exit status 2, KG_BAD_MANIFEST), not an internal error', async () => {
    const result = await runCli(['check', `${FIXTURES}/awkward/alias-bomb.yaml`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kube-guardrails: KG_BAD_MANIFEST: /);
  });

  it('keeps the usage error for a mistyped option on one line of stderr', async () => {
    const result = await runCli(['check', '--outptu', 'json', WORLD]);
    expect(result.code).toBe(2);
    expect(stderrLines(result)).toHaveLength(1);
  });

  it('prints no stack trace when the reader of stdout goes away (check ... | head)', async () => {
    const child = startCli(['check', 'examples/manifests/classic-policies.yaml']);
    child.stdout?.destroy();
    child.stdin?.end();
    const result = await new Promise<CliResult>((resolvePromise) => {
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('close', (code) => {
        resolvePromise({ code, stdout: '', stderr });
      });
    });
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  describe('with a directory of symbolic links to manifests (as a mounted ConfigMap has)', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await makeTempDir();
      await mkdir(join(dir, 'manifests'));
      await symlink(join(ROOT, WORLD), join(dir, 'manifests', 'world.yaml'));
    });
    afterAll(async () => {
      await removeTempDir(dir);
    });

    it('judges the manifests the links point to instead of silently finding no files', async () => {
      const result = await runCli(['check', '--output', 'json', join(dir, 'manifests')]);
      expect(result.code).toBe(1);
      expect(parseJsonReport(result.stdout).summary.objects).toBe(1);
    });
  });

  describe('waived findings "listed, with the exemption and its reason, in every output" (README)', () => {
    const args = ['--policy', `${FIXTURES}/policies/exemptions.yaml`, WORLD];

    it('lists a waived finding in SARIF output', async () => {
      const result = await runCli(['check', '--output', 'sarif', ...args]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('team-edge');
    });

    it('lists a waived finding in JUnit output', async () => {
      const result = await runCli(['check', '--output', 'junit', ...args]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('team-edge');
    });
  });
});
