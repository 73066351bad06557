import type { ServeConfig } from '../config.js';

export function runServe(config: ServeConfig, version: string): Promise<number> {
  return Promise.reject(new Error(`serve (port ${config.port}, version ${version}) is not built yet`));
}
