/**
 * Helpers for the end-user CLI tests: run the built command (`node dist/main.js`) the
 * way a user or a CI job would, and read its output back. `npm test` builds dist/
 * before vitest runs; run `npm run build` first when running these tests alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the working directory of every run. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN = join(ROOT, 'dist', 'main.js');
/** Fixtures of these tests, relative to ROOT (as a user would type them). */
export const FIXTURES = 'test/cli/fixtures';

export interface CliResult {
  /** Exit status, or null when a signal ended the process. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to standard input, which is then closed (always closed, so `-` never waits). */
  readonly stdin?: string;
  /** Added to the environment; undefined removes a variable. NO_COLOR=1 unless overridden. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const TIMEOUT_MS = 15_000;

function childEnv(overrides: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  // The runner's own colour settings must not leak into the command under test.
  const inherited = Object.entries(process.env).filter(([key]) => key !== 'FORCE_COLOR' && key !== 'NO_COLOR');
  const merged = [...inherited, ['NO_COLOR', '1'], ...Object.entries(overrides)] as [string, string | undefined][];
  const env = new Map(merged);
  return Object.fromEntries([...env].filter(([, value]) => value !== undefined));
}

function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the CLI tests`);
}

/** Starts `node dist/main.js ...args` in ROOT, without a shell. */
export function startCli(args: readonly string[], options: RunOptions = {}): ReturnType<typeof spawn> {
  assertBuilt();
  return spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: childEnv(options.env ?? {}),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: TIMEOUT_MS,
  });
}

/** Runs `kube-guardrails ...args` and collects stdout, stderr and the exit status. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = startCli(args, options);
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolvePromise({ code, stdout, stderr });
    });
    // The command may exit before reading its input (a usage error); ignore EPIPE here.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');
  });
}

/** The `--output json` report, as documented (fields may be added, never removed). */
export interface JsonViolation {
  readonly rule: string;
  readonly action: 'deny' | 'warn' | 'audit';
  readonly path: string;
  readonly message: string;
  readonly line: number;
  readonly expiredExemption?: { readonly name: string; readonly expires: string };
}

export interface JsonWaived {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
  readonly exemption: string;
  readonly reason: string;
}

export interface JsonResult {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly allowed: boolean;
  readonly violations: readonly JsonViolation[];
  readonly waived: readonly JsonWaived[];
}

export interface JsonReport {
  readonly results: readonly JsonResult[];
  readonly summary: {
    readonly files: number;
    readonly objects: number;
    readonly denied: number;
    readonly deny: number;
    readonly warn: number;
    readonly audit: number;
    readonly waived: number;
    readonly allowed: boolean;
  };
}

export function parseJsonReport(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

/** The result for the object named `name` (unique in the report). */
export function resultNamed(report: JsonReport, name: string): JsonResult {
  const matches = report.results.filter((result) => result.name === name);
  if (matches.length !== 1) throw new Error(`expected one result named ${name}, found ${matches.length}`);
  return matches[0]!;
}

export function rulesOf(result: JsonResult): string[] {
  return result.violations.map((violation) => violation.rule);
}

/** 1-based number of the only line of `file` (relative to ROOT) that contains `needle`. */
export function lineContaining(file: string, needle: string): number {
  const lines = readFileSync(resolve(ROOT, file), 'utf8').split('\n');
  const hits = lines.flatMap((line, index) => (line.includes(needle) ? [index + 1] : []));
  if (hits.length !== 1) throw new Error(`expected one line containing ${JSON.stringify(needle)} in ${file}, found ${hits.length}`);
  return hits[0]!;
}

/** A fresh directory under the OS temp dir; remove it with removeTempDir. */
export function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kube-guardrails-cli-'));
}

export function removeTempDir(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true });
}

/** Lines of stderr (without the final newline). */
export function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line, index, all) => !(line === '' && index === all.length - 1));
}

export const STACK_FRAME = /^\s+at /m;
// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
export const ANSI_ESCAPE = /\u001b\[[0-9;]*m/;
// eslint-disable-next-line no-control-regex -- matching terminal escapes is the point
export const ANSI_ESCAPES = /\u001b\[[0-9;]*m/g;

/** Rule fixtures shipped with the rules (first document under review, the rest cluster state). */
export function ruleFixture(rule: string, verdict: 'pass' | 'fail', name: string): string {
  return `src/rules/${rule}/fixtures/${verdict}/${name}.yaml`;
}

/** Rule ids as the user-facing docs list them (docs/rules.md, generated from the registry). */
export function documentedRuleIds(): string[] {
  const docs = readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8');
  return [...docs.matchAll(/^\| \[([a-z0-9-]+)\]\(#\1\) \|/gm)].map((match) => match[1]!);
}
