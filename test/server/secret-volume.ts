/**
 * A directory laid out like a Kubernetes Secret volume, and its atomic update: the files
 * are symbolic links through `..data`, which points at a timestamped directory; an
 * update writes a new directory, points a temporary link at it and renames that link
 * over `..data`, so that both files change in one step (kubelet's AtomicWriter).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SecretVolume {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
}

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

async function writeGeneration(dir: string, files: TlsFiles): Promise<string> {
  const generation = `..${new Date().toISOString().replace(/[-:.]/g, '_')}.${randomBytes(4).toString('hex')}`;
  await mkdir(join(dir, generation), { mode: 0o755 });
  await writeFile(join(dir, generation, 'tls.crt'), files.cert, { mode: 0o644 });
  await writeFile(join(dir, generation, 'tls.key'), files.key, { mode: 0o600 });
  return generation;
}

export async function makeSecretVolume(dir: string, files: TlsFiles): Promise<SecretVolume> {
  await mkdir(dir, { recursive: true });
  const generation = await writeGeneration(dir, files);
  await symlink(generation, join(dir, '..data'));
  await symlink(join('..data', 'tls.crt'), join(dir, 'tls.crt'));
  await symlink(join('..data', 'tls.key'), join(dir, 'tls.key'));
  return { dir, certPath: join(dir, 'tls.crt'), keyPath: join(dir, 'tls.key') };
}

/** Replaces both files at once, as the kubelet does when the Secret changes. */
export async function updateSecretVolume(volume: SecretVolume, files: TlsFiles): Promise<void> {
  const previous = await readlink(join(volume.dir, '..data'));
  const generation = await writeGeneration(volume.dir, files);
  await symlink(generation, join(volume.dir, '..data_tmp'));
  await rename(join(volume.dir, '..data_tmp'), join(volume.dir, '..data'));
  await rm(join(volume.dir, previous), { recursive: true, force: true });
}

/** Replaces one file by writing a temporary file next to it and renaming it over the target. */
export async function replaceFile(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, path);
}
