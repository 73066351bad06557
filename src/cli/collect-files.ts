/**
 * Expands the paths given to `check` into manifest sources: files as given, directories
 * walked recursively for *.yaml, *.yml and *.json (sorted, hidden entries skipped), and
 * `-` for standard input.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFsError, readText } from '../io/files.js';

export interface ManifestSource {
  readonly name: string;
  readonly read: () => Promise<string>;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Follows symbolic links (a mounted ConfigMap is a directory of links), each directory once. */
async function walk(directory: string, visited: Set<string> = new Set()): Promise<string[]> {
  const real = await realpath(directory);
  if (visited.has(real)) return [];
  visited.add(real);
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    const target = entry.isSymbolicLink() ? await stat(path) : entry;
    if (target.isDirectory()) files.push(...(await walk(path, visited)));
    else if (target.isFile() && MANIFEST_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

async function sourcesOf(path: string, readStdin: () => Promise<string>): Promise<ManifestSource[]> {
  if (path === '-') return [{ name: '<stdin>', read: readStdin }];
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error: unknown) {
    throw describeFsError(path, error);
  }
  if (!isDirectory) return [{ name: path, read: () => readText(path) }];
  try {
    return (await walk(path)).map((file) => ({ name: file, read: () => readText(file) }));
  } catch (error: unknown) {
    throw describeFsError(path, error);
  }
}

export async function collectSources(paths: readonly string[], readStdin: () => Promise<string>): Promise<ManifestSource[]> {
  const sources: ManifestSource[] = [];
  for (const path of paths) sources.push(...(await sourcesOf(path, readStdin)));
  return sources;
}
