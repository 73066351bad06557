/**
 * JUnit XML for CI test reports: a testsuite per file, a testcase per object, a
 * failure per denied object; warnings ride along in system-out.
 */
import XMLBuilder from 'fast-xml-builder';
import { objectLabel, type CheckReport, type ObjectResult } from './report.js';

/** ` (line 12)`, or nothing for an object read from the cluster (line 0). */
function at(line: number): string {
  return line > 0 ? ` (line ${line})` : '';
}

function violationLines(result: ObjectResult, actions: readonly string[]): string {
  return result.violations
    .filter((violation) => actions.includes(violation.action))
    .map((violation) => `${violation.action.toUpperCase()} [${violation.rule}] ${violation.path}${at(violation.line)}: ${violation.message}`)
    .join('\n');
}

function testcase(result: ObjectResult): object {
  const denials = violationLines(result, ['deny']);
  const failures = result.failures.map((failure) => `ERROR [${failure.rule}] ${failure.message}`).join('\n');
  const waived = result.waived.map((w) => `WAIVED [${w.rule}] ${w.path}${at(w.line)} by exemption "${w.exemption}" (${w.reason}): ${w.message}`);
  const notes = [violationLines(result, ['warn', 'audit']), ...waived].filter((text) => text !== '').join('\n');
  const failureText = [denials, failures].filter((text) => text !== '').join('\n');
  return {
    '@_name': objectLabel(result),
    '@_classname': result.file,
    '@_file': result.file,
    ...(result.line > 0 ? { '@_line': result.line } : {}),
    ...(result.allowed ? {} : { failure: { '@_message': failureText.split('\n')[0] ?? 'denied', '@_type': 'denied', '#text': failureText } }),
    ...(notes === '' ? {} : { 'system-out': notes }),
  };
}

export function formatJunit(report: CheckReport): string {
  const files = [...new Set(report.results.map((result) => result.file))];
  const suites = files.map((file) => {
    const results = report.results.filter((result) => result.file === file);
    return {
      '@_name': file,
      '@_tests': results.length,
      '@_failures': results.filter((result) => !result.allowed).length,
      '@_errors': 0,
      testcase: results.map(testcase),
    };
  });
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true, processEntities: true });
  const body = builder.build({
    testsuites: {
      '@_name': 'kube-guardrails',
      '@_tests': report.summary.objects,
      '@_failures': report.summary.denied,
      '@_errors': 0,
      testsuite: suites,
    },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
