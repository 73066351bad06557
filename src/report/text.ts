/**
 * Output for people: grouped by file, one line per finding with its line number, the
 * action, the rule id and the message; a summary line last. Colour only when asked.
 */
import pc from 'picocolors';
import type { Violation } from '../engine/evaluate.js';
import { objectLabel, type CheckReport, type ObjectResult } from './report.js';

type Paint = (text: string) => string;

interface Palette {
  readonly deny: Paint;
  readonly warn: Paint;
  readonly audit: Paint;
  readonly ok: Paint;
  readonly dim: Paint;
  readonly bold: Paint;
}

function palette(color: boolean): Palette {
  const colors = pc.createColors(color);
  return { deny: colors.red, warn: colors.yellow, audit: colors.cyan, ok: colors.green, dim: colors.dim, bold: colors.bold };
}

const LABELS: Readonly<Record<Violation['action'], string>> = { deny: 'DENY ', warn: 'WARN ', audit: 'AUDIT' };

/** `12: `, or nothing for an object read from the cluster (line 0: it has no source line). */
function lineMark(line: number, paint: Palette): string {
  return line > 0 ? `${paint.dim(`${line}:`)} ` : '';
}

function objectLines(result: ObjectResult, paint: Palette): string[] {
  const lines: string[] = [];
  const status = result.allowed ? paint.ok('allowed') : paint.deny('denied');
  lines.push(`  ${lineMark(result.line, paint)}${paint.bold(objectLabel(result))} ${status}`);
  for (const v of [...result.violations].sort((a, b) => a.line - b.line)) {
    const expired = v.expiredExemption ? paint.dim(` (exemption "${v.expiredExemption.name}" expired ${v.expiredExemption.expires})`) : '';
    lines.push(`    ${lineMark(v.line, paint)}${paint[v.action](LABELS[v.action])} [${v.rule}] ${paint.dim(v.path)}: ${v.message}${expired}`);
  }
  for (const w of result.waived) lines.push(`    ${paint.dim(`waived [${w.rule}] ${w.path} by exemption "${w.exemption}": ${w.reason}`)}`);
  for (const f of result.failures) lines.push(`    ${paint.deny('ERROR')} [${f.rule}] internal error: ${f.message}`);
  return lines;
}

/** Where the objects came from, for the summary line: `in 3 files` for manifests. */
export type SourcesNote = (summary: CheckReport['summary']) => string;

const IN_FILES: SourcesNote = (summary) => `in ${summary.files} files`;

function summaryLine(report: CheckReport, paint: Palette, sources: SourcesNote): string {
  const { summary } = report;
  const verdict = summary.allowed ? paint.ok('✔ no object denied') : paint.deny(`✖ ${summary.denied} of ${summary.objects} objects denied`);
  const counts = [`${summary.deny} deny`, `${summary.warn} warn`, `${summary.audit} audit`, `${summary.waived} waived`];
  if (summary.failures > 0) counts.push(`${summary.failures} rule errors`);
  return `${verdict} — ${counts.join(', ')} — ${summary.objects} objects ${sources(summary)}`;
}

export function formatText(report: CheckReport, color: boolean, sources: SourcesNote = IN_FILES): string {
  const paint = palette(color);
  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const result of report.results) {
    const noteworthy = result.violations.length + result.waived.length + result.failures.length > 0;
    if (!noteworthy) continue;
    if (result.file !== currentFile) {
      if (currentFile !== undefined) lines.push('');
      lines.push(paint.bold(result.file));
      currentFile = result.file;
    }
    lines.push(...objectLines(result, paint));
  }
  if (lines.length > 0) lines.push('');
  lines.push(summaryLine(report, paint, sources));
  return `${lines.join('\n')}\n`;
}
