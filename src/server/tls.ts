/**
 * Serving credentials: from files (reloaded when they change, for Secret-mounted
 * rotation and cert-manager), or a self-signed certificate for localhost when none is
 * given, so that `npm start` serves HTTPS out of the box.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { generate } from 'selfsigned';
import { GuardrailsError } from '../errors.js';

export interface Credentials {
  readonly key: string;
  readonly cert: string;
  /** notAfter, epoch milliseconds. */
  readonly expiresAt: number;
  readonly subjectAltName: string;
}

export const TLS_MIN_VERSION = 'TLSv1.2';

function describe(cert: string): Pick<Credentials, 'expiresAt' | 'subjectAltName'> {
  const x509 = new X509Certificate(cert);
  return { expiresAt: Date.parse(x509.validTo), subjectAltName: x509.subjectAltName ?? '' };
}

/** Reads and checks a certificate and key pair; a mismatch or bad PEM is KG_TLS. */
export async function loadCredentials(certPath: string, keyPath: string): Promise<Credentials> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  } catch (error: unknown) {
    throw new GuardrailsError('KG_TLS', `cannot read the serving certificate or key: ${(error as Error).message}`, { cause: error });
  }
  try {
    // Fails on unparseable PEM and on a key that does not match the certificate.
    createSecureContext({ cert, key });
    return { cert, key, ...describe(cert) };
  } catch (error: unknown) {
    throw new GuardrailsError('KG_TLS', `invalid serving certificate ${certPath} or key ${keyPath}: ${(error as Error).message}`, { cause: error });
  }
}

export async function selfSignedCredentials(): Promise<Credentials> {
  const generated = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { cert: generated.cert, key: generated.private, ...describe(generated.cert) };
}

export async function loadClientCa(path: string): Promise<string> {
  try {
    const ca = await readFile(path, 'utf8');
    new X509Certificate(ca);
    return ca;
  } catch (error: unknown) {
    throw new GuardrailsError('KG_TLS', `cannot load the client CA ${path}: ${(error as Error).message}`, { cause: error });
  }
}
