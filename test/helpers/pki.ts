/**
 * A throwaway PKI for the webhook server tests: a CA, serving certificates it signs
 * (EC P-256, serverAuth, SAN IP 127.0.0.1 and DNS localhost) and client certificates
 * (clientAuth), written as PEM files into a temporary directory. Made with `selfsigned`
 * (WebCrypto underneath), so the tests need no openssl binary.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** A certificate and its key, in memory and on disk. */
export interface Pem {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Upper-case hex, as `getPeerCertificate().serialNumber` reports it. */
  readonly serialNumber: string;
}

export interface Ca extends Pem {
  readonly name: string;
}

const HOUR_MS = 3_600_000;

/** Valid from an hour ago (no clock-skew surprises) for a day. */
function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  const now = Date.now();
  return { notBeforeDate: new Date(now - HOUR_MS), notAfterDate: new Date(now + 24 * HOUR_MS) };
}

function serialOf(cert: string): string {
  return new X509Certificate(cert).serialNumber.toUpperCase();
}

async function save(dir: string, name: string, cert: string, key: string): Promise<Pem> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await writeFile(certPath, cert, { mode: 0o600 });
  await writeFile(keyPath, key, { mode: 0o600 });
  return { cert, key, certPath, keyPath, serialNumber: serialOf(cert) };
}

export async function makeTempDir(prefix = 'kg-server-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

/** A self-signed CA certificate (EC P-256) saved as `<name>.crt` and `<name>.key` in dir. */
export async function makeCa(dir: string, name = 'ca'): Promise<Ca> {
  const generated = await generate([{ name: 'commonName', value: `kube-guardrails test ${name}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { name, ...(await save(dir, name, generated.cert, generated.private)) };
}

type Usage = { serverAuth: true } | { clientAuth: true };

/** A leaf certificate signed by ca (EC P-256), saved as `<name>.crt/.key`. */
async function makeLeaf(dir: string, ca: Ca, leaf: { name: string; commonName: string; usage: Usage; altNames?: { type: 2 | 7; value?: string; ip?: string }[] }): Promise<Pem> {
  const generated = await generate([{ name: 'commonName', value: leaf.commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity(),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', ...leaf.usage },
      ...(leaf.altNames === undefined ? [] : [{ name: 'subjectAltName' as const, altNames: leaf.altNames }]),
    ],
  });
  return save(dir, leaf.name, generated.cert, generated.private);
}

/** A serving certificate signed by ca for 127.0.0.1 and localhost, saved as `<name>.crt/.key`. */
export function makeServingCert(dir: string, ca: Ca, name = 'server'): Promise<Pem> {
  return makeLeaf(dir, ca, { name, commonName: 'localhost', usage: { serverAuth: true }, altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] });
}

/** A client certificate (as the API server presents) signed by ca, saved as `<name>.crt/.key`. */
export function makeClientCert(dir: string, ca: Ca, name = 'client', commonName = 'kube-apiserver'): Promise<Pem> {
  return makeLeaf(dir, ca, { name, commonName, usage: { clientAuth: true } });
}

export interface Pki {
  readonly dir: string;
  readonly ca: Ca;
  readonly server: Pem;
  readonly client: Pem;
}

/** A CA with one serving and one client certificate, in a fresh temporary directory. */
export async function makePki(): Promise<Pki> {
  const dir = await makeTempDir();
  const ca = await makeCa(dir);
  const [server, client] = await Promise.all([makeServingCert(dir, ca), makeClientCert(dir, ca)]);
  return { dir, ca, server, client };
}
