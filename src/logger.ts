/**
 * The one place a logger is made; everything else receives it. JSON lines, and
 * secrets that could ride in an AdmissionReview redacted even when bodies are logged.
 */
import { pino, type Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'kube-guardrails' },
      redact: {
        paths: [
          'object.spec.containers[*].env[*].value',
          'object.spec.initContainers[*].env[*].value',
          'object.spec.ephemeralContainers[*].env[*].value',
          // kubectl apply keeps a JSON copy of the whole object, env values included.
          'object.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]',
          'object.metadata.managedFields',
          'userInfo.extra',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

export type { Logger };
