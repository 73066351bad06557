import type { CheckReport } from './report.js';

/** The JSON contract: fields may be added, never renamed or removed. */
export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
