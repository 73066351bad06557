import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GuardrailsError } from '../errors.js';
import { openConnection } from './kubeconfig.js';

async function directory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kg-kubeconfig-'));
}

async function applied(connection: { apply: (options: RequestOptions) => Promise<void> }): Promise<RequestOptions> {
  const options: RequestOptions = { headers: { accept: 'application/json' } };
  await connection.apply(options);
  return options;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

function kubeconfig(parts: { clusters?: string; users?: string; contexts?: string; current?: string }): string {
  return `apiVersion: v1
kind: Config
clusters:
${parts.clusters ?? ''}
users:
${parts.users ?? ''}
contexts:
${parts.contexts ?? ''}
${parts.current === undefined ? '' : `current-context: ${parts.current}`}
`;
}

describe('openConnection: a kubeconfig read as kubectl reads it', () => {
  it('takes the current context’s cluster and user: server, CA data, bearer token', async () => {
    const dir = await directory();
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({
      clusters: `  - name: prod\n    cluster: {server: "https://10.0.0.1:6443/", certificate-authority-data: ${b64('CA PEM')}, tls-server-name: api.internal}`,
      users: `  - name: admin\n    user: {token: s3cret}`,
      contexts: `  - name: prod\n    context: {cluster: prod, user: admin}`,
      current: 'prod',
    }));
    const connection = await openConnection({ kind: 'kubeconfig', paths: [path] }, undefined);
    expect(connection.server).toBe('https://10.0.0.1:6443');
    const options = await applied(connection);
    expect(options.ca?.toString()).toBe('CA PEM');
    expect(options.servername).toBe('api.internal');
    expect(options.headers).toEqual({ accept: 'application/json', authorization: 'Bearer s3cret' });
    expect(options.rejectUnauthorized).toBeUndefined();
  });

  it('reads files relative to the kubeconfig that names them, client certificates and insecure-skip-tls-verify', async () => {
    const dir = await directory();
    await mkdir(join(dir, 'pki'));
    await writeFile(join(dir, 'pki', 'client.crt'), 'CERT');
    await writeFile(join(dir, 'pki', 'client.key'), 'KEY');
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({
      clusters: `  - name: dev\n    cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}`,
      users: `  - name: me\n    user: {client-certificate: pki/client.crt, client-key: pki/client.key}`,
      contexts: `  - name: dev\n    context: {cluster: dev, user: me}`,
      current: 'dev',
    }));
    const options = await applied(await openConnection({ kind: 'kubeconfig', paths: [path] }, undefined));
    expect(options.cert?.toString()).toBe('CERT');
    expect(options.key).toEqual(Buffer.from('KEY'));
    expect(options.rejectUnauthorized).toBe(false);
    expect(options.headers).toEqual({ accept: 'application/json' });
  });

  it('merges several files: the first to name an entry wins, and the first current-context set', async () => {
    const dir = await directory();
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    await writeFile(first, kubeconfig({ clusters: `  - name: shared\n    cluster: {server: "https://first:6443"}`, users: `  - name: u\n    user: {username: ann, password: pw}` }));
    await writeFile(second, kubeconfig({
      clusters: `  - name: shared\n    cluster: {server: "https://second:6443"}`,
      users: `  - name: u\n    user: {token: ignored}`,
      contexts: `  - name: c\n    context: {cluster: shared, user: u}`,
      current: 'c',
    }));
    const connection = await openConnection({ kind: 'kubeconfig', paths: [first, second] }, undefined);
    expect(connection.server).toBe('https://first:6443');
    expect((await applied(connection)).headers).toMatchObject({ authorization: `Basic ${b64('ann:pw')}` });
  });

  it('reads a token file again after a minute, as rotated tokens need', async () => {
    const dir = await directory();
    const tokenPath = join(dir, 'token');
    await writeFile(tokenPath, 'first\n');
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({
      clusters: `  - name: c\n    cluster: {server: "https://c:6443"}`,
      users: `  - name: u\n    user: {tokenFile: token}`,
      contexts: `  - name: c\n    context: {cluster: c, user: u}`,
      current: 'c',
    }));
    let clock = 0;
    const connection = await openConnection({ kind: 'kubeconfig', paths: [path] }, undefined, { now: () => clock });
    expect((await applied(connection)).headers).toMatchObject({ authorization: 'Bearer first' });
    await writeFile(tokenPath, 'second\n');
    clock = 59_999;
    expect((await applied(connection)).headers).toMatchObject({ authorization: 'Bearer first' });
    clock = 60_000;
    expect((await applied(connection)).headers).toMatchObject({ authorization: 'Bearer second' });
  });

  it('reads the pod’s ServiceAccount in the cluster', async () => {
    const dir = await directory();
    await writeFile(join(dir, 'ca.crt'), 'CLUSTER CA');
    await writeFile(join(dir, 'token'), 'sa-token');
    const connection = await openConnection({ kind: 'in-cluster' }, 'https://[fd00::1]:443', { serviceAccountDir: dir });
    expect(connection.server).toBe('https://[fd00::1]:443');
    const options = await applied(connection);
    expect(options.ca?.toString()).toBe('CLUSTER CA');
    expect(options.headers).toMatchObject({ authorization: 'Bearer sa-token' });
  });

  it('leaves an exec credential plugin to @kubernetes/client-node', async () => {
    const dir = await directory();
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({
      clusters: `  - name: eks\n    cluster: {server: "https://eks.example:443"}`,
      users: `  - name: aws\n    user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/echo, args: ['{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-exec"}}'], interactiveMode: Never}}`,
      contexts: `  - name: eks\n    context: {cluster: eks, user: aws}`,
      current: 'eks',
    }));
    const connection = await openConnection({ kind: 'kubeconfig', paths: [path] }, undefined);
    expect(connection.server).toBe('https://eks.example:443');
    const options = await applied(connection);
    expect(options.headers).toMatchObject({ Authorization: 'Bearer from-exec' });
    // Its per-request agent is dropped, so kept connections serve.
    expect(options.agent).toBeUndefined();
  });

  it.each([
    ['no current context', kubeconfig({}), /no current-context is set/],
    ['an undefined context', kubeconfig({ current: 'gone' }), /the current context "gone" is not defined/],
    ['a context naming no cluster', kubeconfig({ contexts: `  - name: c\n    context: {cluster: nope}`, current: 'c' }), /names the cluster "nope", which is not defined/],
    ['a cluster without a server', kubeconfig({ clusters: `  - name: c\n    cluster: {}`, contexts: `  - name: c\n    context: {cluster: c}`, current: 'c' }), /the cluster "c" has no server/],
    ['text that is not YAML', 'clusters: [', /cannot read the cluster credentials/],
  ])('refuses %s with KG_CLUSTER_CONFIG, naming the file', async (_case, text, message) => {
    const dir = await directory();
    const path = join(dir, 'config');
    await writeFile(path, text);
    const failure = openConnection({ kind: 'kubeconfig', paths: [path] }, undefined);
    await expect(failure).rejects.toBeInstanceOf(GuardrailsError);
    await expect(failure).rejects.toMatchObject({ code: 'KG_CLUSTER_CONFIG' });
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(path);
  });

  it('prefers a token file to an inline token, as client-go does, and skips a named file that is missing', async () => {
    const dir = await directory();
    await writeFile(join(dir, 'token'), 'from-file');
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({
      clusters: `  - name: c\n    cluster: {server: "https://c:6443"}`,
      users: `  - name: u\n    user: {token: stale, tokenFile: token}`,
      contexts: `  - name: c\n    context: {cluster: c, user: u}`,
      current: 'c',
    }));
    const connection = await openConnection({ kind: 'kubeconfig', paths: [join(dir, 'missing'), path] }, undefined);
    expect((await applied(connection)).headers).toMatchObject({ authorization: 'Bearer from-file' });
  });

  it('refuses a CA together with insecure-skip-tls-verify, as kubectl does', async () => {
    const dir = await directory();
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({
      clusters: `  - name: c\n    cluster: {server: "https://c:6443", certificate-authority-data: ${b64('CA')}, insecure-skip-tls-verify: true}`,
      contexts: `  - name: c\n    context: {cluster: c}`,
      current: 'c',
    }));
    await expect(openConnection({ kind: 'kubeconfig', paths: [path] }, undefined)).rejects.toThrow(/names a certificate authority and insecure-skip-tls-verify/);
  });

  it('leaves impersonation (as) to @kubernetes/client-node, which sends it', async () => {
    const dir = await directory();
    const path = join(dir, 'config');
    await writeFile(path, kubeconfig({
      clusters: `  - name: c\n    cluster: {server: "https://c:6443"}`,
      users: `  - name: u\n    user: {token: t, as: 'system:serviceaccount:kube-guardrails:audit'}`,
      contexts: `  - name: c\n    context: {cluster: c, user: u}`,
      current: 'c',
    }));
    const options = await applied(await openConnection({ kind: 'kubeconfig', paths: [path] }, undefined));
    expect(JSON.stringify(options.headers)).toContain('system:serviceaccount:kube-guardrails:audit');
  });

  it('refuses a missing file and an in-cluster source without the service host', async () => {
    await expect(openConnection({ kind: 'kubeconfig', paths: ['/nonexistent/kubeconfig'] }, undefined)).rejects.toMatchObject({ code: 'KG_CLUSTER_CONFIG' });
    await expect(openConnection({ kind: 'in-cluster' }, undefined)).rejects.toThrow(/KUBERNETES_SERVICE_HOST is not set/);
  });
});
