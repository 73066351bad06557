/**
 * Watches files by polling their stat. Polling (not inotify) sees the atomic symlink
 * swap with which Kubernetes updates Secret and ConfigMap volumes, and cert-manager's
 * renewals, on every filesystem.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';

export interface Watch {
  close(): void;
}

/**
 * Calls `onChange` once per burst of changes: a rotation that rewrites a certificate and
 * its key is one reload, not two (and never a read of a new certificate with an old key).
 */
export function watchFiles(paths: readonly string[], intervalMs: number, onChange: () => void): Watch {
  let settle: NodeJS.Timeout | undefined;
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino && current.size === previous.size) return;
    clearTimeout(settle);
    settle = setTimeout(onChange, intervalMs);
    settle.unref();
  };
  for (const path of paths) watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return {
    close: () => {
      clearTimeout(settle);
      for (const path of paths) unwatchFile(path, listener);
    },
  };
}
