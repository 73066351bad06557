#!/usr/bin/env node
/**
 * The composition root: argv and env → config → the command, with the rule set
 * passed in here (the only place outside the docs generator and tests that imports
 * the registry). Exit status and one line on stderr for anything the user got wrong;
 * never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { runCheck } from './cli/check.js';
import { loadConfig, type Config } from './config.js';
import { describeError, EXIT, GuardrailsError } from './errors.js';
import { RULES } from './rules/index.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

async function run(config: Config, version: string): Promise<number> {
  switch (config.command) {
    case 'exit':
      return config.code;
    case 'check':
      return runCheck(config, {
        rules: RULES,
        readStdin: () => text(process.stdin),
        stdout: (output) => process.stdout.write(output),
        stderr: (output) => process.stderr.write(output),
        // isTTY is undefined, not false, on a pipe; picocolors would then guess from CI=true.
        stdoutIsTty: (process.stdout.isTTY as boolean | undefined) === true,
        cwd: process.cwd(),
        now: () => Date.now(),
        version,
      });
    case 'audit': {
      const { runAudit } = await import('./cli/audit.js');
      const { createLogger } = await import('./logger.js');
      if (config.continuous !== undefined) {
        const { runContinuousAudit } = await import('./cli/continuous-audit.js');
        return runContinuousAudit(config, config.continuous, { rules: RULES, version });
      }
      return runAudit(config, {
        rules: RULES,
        stdout: (output) => process.stdout.write(output),
        stderr: (output) => process.stderr.write(output),
        stdoutIsTty: (process.stdout.isTTY as boolean | undefined) === true,
        now: () => Date.now(),
        version,
        // Only failed report writes are logged, as JSON lines on stderr.
        logger: createLogger({ level: 'warn', destination: process.stderr }),
      });
    }
    case 'serve': {
      // Loaded only for serve: `check` starts faster without Fastify and TLS.
      const { runServe } = await import('./server/run-server.js');
      return runServe(config, { rules: RULES, version });
    }
  }
}

async function main(): Promise<void> {
  // A reader that goes away (`check … | head`) is not an error of ours: stop writing, keep the status.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const version = packageVersion();
  try {
    const config = loadConfig({ out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }, version);
    process.exitCode = await run(config, version);
  } catch (error: unknown) {
    if (error instanceof GuardrailsError) {
      process.stderr.write(`kube-guardrails: ${error.code}: ${error.message}\n`);
      process.exitCode = error.exitStatus;
      return;
    }
    process.stderr.write(`kube-guardrails: KG_INTERNAL: ${describeError(error)}\n`);
    process.exitCode = EXIT.internal;
  }
}

await main();
