/** Reading files for the shells (CLI and server), with one-line errors that carry a code. */
import { readFile } from 'node:fs/promises';
import { GuardrailsError } from '../errors.js';

export function describeFsError(path: string, error: unknown): GuardrailsError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
  return new GuardrailsError('KG_INPUT_UNREADABLE', `cannot read ${path}: ${reason}`, { cause: error });
}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw describeFsError(path, error);
  }
}
