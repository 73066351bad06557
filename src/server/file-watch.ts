/**
 * Watches files by polling their stat. Polling (not inotify) sees the atomic symlink
 * swap with which Kubernetes updates Secret and ConfigMap volumes, and cert-manager's
 * renewals, on every filesystem.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';

export interface Watch {
  close(): void;
}

export function watchFiles(paths: readonly string[], intervalMs: number, onChange: () => void): Watch {
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size) onChange();
  };
  for (const path of paths) watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return {
    close: () => {
      for (const path of paths) unwatchFile(path, listener);
    },
  };
}
