/**
 * The connection to kube-apiserver that a kubeconfig (or the pod's ServiceAccount)
 * describes, read as kubectl reads it: several KUBECONFIG files merged (the first file to
 * name a cluster, user or context wins, and the first current-context set), paths relative
 * to the file that names them (a named file that is missing is skipped), a token file
 * (before an inline token), token, client certificate or basic auth, the CA,
 * insecure-skip-tls-verify (refused with a CA, as kubectl does) and tls-server-name.
 * Client certificate files are read once, when the connection opens.
 *
 * Why not always @kubernetes/client-node: importing it costs about 68 MiB of memory (its
 * config module loads the whole generated API), more than the audit of 10,000 objects
 * needs in all. It is still what reads a kubeconfig whose user runs an exec plugin or an
 * auth provider or impersonates (`as`), or that names a proxy: it is loaded only then.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { arrayOf, field, isRecord, recordOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import { GuardrailsError } from '../errors.js';
import { describeSource, type CredentialSource } from './credentials.js';

/** Where the API server is, and how a request to it is made. */
export interface ClusterConnection {
  readonly server: string;
  /** Sets TLS material and credentials on a request; called per request, as tokens rotate. */
  apply(options: RequestOptions): Promise<void>;
}

/** The pod's ServiceAccount, as the kubelet mounts it. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** A token file is read again after this, as client-go does: bound tokens are rotated by the kubelet. */
const TOKEN_FILE_TTL_MS = 60_000;

interface Named {
  readonly name: string;
  readonly value: JsonRecord;
  /** The directory of the file that named it, for its relative paths. */
  readonly dir: string;
}

interface MergedConfig {
  readonly clusters: ReadonlyMap<string, Named>;
  readonly users: ReadonlyMap<string, Named>;
  readonly contexts: ReadonlyMap<string, Named>;
  readonly currentContext: string | undefined;
}

function namedEntries(document: JsonRecord, key: string, inner: string, dir: string): Named[] {
  return (arrayOf(field(document, key)) ?? []).flatMap((raw) => {
    const entry = recordOf(raw);
    const name = stringOf(field(entry, 'name'));
    const value = recordOf(field(entry, inner));
    return name === undefined ? [] : [{ name, value: value ?? {}, dir }];
  });
}

function keepFirst(map: Map<string, Named>, entries: readonly Named[]): void {
  for (const entry of entries) if (!map.has(entry.name)) map.set(entry.name, entry);
}

/** kubectl's merge: the first file to name an entry wins, and the first current-context set. */
function merge(files: readonly { readonly path: string; readonly document: JsonRecord }[]): MergedConfig {
  const clusters = new Map<string, Named>();
  const users = new Map<string, Named>();
  const contexts = new Map<string, Named>();
  let currentContext: string | undefined;
  for (const { path, document } of files) {
    const dir = dirname(path);
    keepFirst(clusters, namedEntries(document, 'clusters', 'cluster', dir));
    keepFirst(users, namedEntries(document, 'users', 'user', dir));
    keepFirst(contexts, namedEntries(document, 'contexts', 'context', dir));
    const current = stringOf(field(document, 'current-context'));
    if (currentContext === undefined && current !== undefined && current !== '') currentContext = current;
  }
  return { clusters, users, contexts, currentContext };
}

async function readDocument(path: string): Promise<JsonRecord> {
  const parsed: unknown = parse(await readFile(path, 'utf8'));
  // An empty file is an empty config, as kubectl takes it.
  return isRecord(parsed) ? parsed : {};
}

function resolved(path: string, dir: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

/** Inline base64 data, else a file named relative to its kubeconfig. */
async function material(entry: Named, dataKey: string, fileKey: string): Promise<Buffer | undefined> {
  const data = stringOf(field(entry.value, dataKey));
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64');
  const file = stringOf(field(entry.value, fileKey));
  return file === undefined || file === '' ? undefined : readFile(resolved(file, entry.dir));
}

/** A token file read at most once a minute. */
function tokenFileReader(path: string, now: () => number): () => Promise<string> {
  let cached: { readonly token: string; readonly at: number } | undefined;
  return async () => {
    if (cached === undefined || now() - cached.at >= TOKEN_FILE_TTL_MS) cached = { token: (await readFile(path, 'utf8')).trim(), at: now() };
    return cached.token;
  };
}

interface StaticConnection {
  readonly server: string;
  readonly tls: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  readonly authorization?: () => Promise<string>;
}

function connectionOf(settings: StaticConnection): ClusterConnection {
  return {
    server: settings.server.replace(/\/+$/, ''),
    apply: async (options) => {
      Object.assign(options, settings.tls);
      if (settings.authorization !== undefined) options.headers = { ...(options.headers as Record<string, string> | undefined), authorization: await settings.authorization() };
    },
  };
}

/** What this reader does not do itself: credential plugins, impersonation and proxies, left to @kubernetes/client-node. */
function needsClientNode(cluster: Named, user: Named | undefined): boolean {
  const proxy = stringOf(field(cluster.value, 'proxy-url'));
  const delegated = ['exec', 'auth-provider', 'as', 'as-uid', 'as-groups', 'as-user-extra'];
  return (proxy !== undefined && proxy !== '') || delegated.some((key) => field(user?.value, key) !== undefined);
}

function authorizationOf(user: Named | undefined, now: () => number): (() => Promise<string>) | undefined {
  if (user === undefined) return undefined;
  // As client-go: a token file, read again as it rotates, takes precedence over an inline token.
  const tokenFile = stringOf(field(user.value, 'tokenFile'));
  if (tokenFile !== undefined && tokenFile !== '') {
    const read = tokenFileReader(resolved(tokenFile, user.dir), now);
    return async () => `Bearer ${await read()}`;
  }
  const token = stringOf(field(user.value, 'token'));
  if (token !== undefined && token !== '') return () => Promise.resolve(`Bearer ${token}`);
  const username = stringOf(field(user.value, 'username'));
  if (username === undefined || username === '') return undefined;
  const basic = Buffer.from(`${username}:${stringOf(field(user.value, 'password')) ?? ''}`).toString('base64');
  return () => Promise.resolve(`Basic ${basic}`);
}

/** The context in force, and its cluster and user. */
function currentEntries(config: MergedConfig): { readonly cluster: Named; readonly user: Named | undefined } {
  if (config.currentContext === undefined) throw new Error('no current-context is set');
  const context = config.contexts.get(config.currentContext);
  if (context === undefined) throw new Error(`the current context "${config.currentContext}" is not defined`);
  const clusterName = stringOf(field(context.value, 'cluster')) ?? '';
  const cluster = config.clusters.get(clusterName);
  if (cluster === undefined) throw new Error(`the context "${config.currentContext}" names the cluster "${clusterName}", which is not defined`);
  return { cluster, user: config.users.get(stringOf(field(context.value, 'user')) ?? '') };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
}

async function tlsOf(cluster: Named, user: Named | undefined): Promise<StaticConnection['tls']> {
  const insecure = field(cluster.value, 'insecure-skip-tls-verify') === true;
  const namesCa = ['certificate-authority-data', 'certificate-authority'].some((key) => (stringOf(field(cluster.value, key)) ?? '') !== '');
  // kubectl's own refusal: a CA that would not be checked is a mistake to point out, not to honour half-way.
  if (insecure && namesCa) throw new Error(`the cluster "${cluster.name}" names a certificate authority and insecure-skip-tls-verify: true; kubectl refuses both at once`);
  const [ca, cert, key] = await Promise.all([
    material(cluster, 'certificate-authority-data', 'certificate-authority'),
    user === undefined ? undefined : material(user, 'client-certificate-data', 'client-certificate'),
    user === undefined ? undefined : material(user, 'client-key-data', 'client-key'),
  ]);
  return {
    ...optional('ca', ca),
    ...optional('cert', cert),
    ...optional('key', key),
    ...(insecure ? { rejectUnauthorized: false } : {}),
    ...optional('servername', stringOf(field(cluster.value, 'tls-server-name'))),
  };
}

async function fromKubeconfig(paths: readonly string[], now: () => number): Promise<ClusterConnection | 'client-node'> {
  // As kubectl: a KUBECONFIG entry naming no file is skipped; only none at all is an error.
  const present = paths.filter((path) => existsSync(path));
  if (present.length === 0) throw new Error(`no such file: ${paths.join(', ')}`);
  const files = await Promise.all(present.map(async (path) => ({ path, document: await readDocument(path) })));
  const { cluster, user } = currentEntries(merge(files));
  if (needsClientNode(cluster, user)) return 'client-node';
  const server = stringOf(field(cluster.value, 'server'));
  if (server === undefined || server === '') throw new Error(`the cluster "${cluster.name}" has no server`);
  const authorization = authorizationOf(user, now);
  return connectionOf({ server, tls: await tlsOf(cluster, user), ...optional('authorization', authorization) });
}

async function fromServiceAccount(server: string, dir: string, now: () => number): Promise<ClusterConnection> {
  const ca = await readFile(join(dir, 'ca.crt'));
  const read = tokenFileReader(join(dir, 'token'), now);
  return connectionOf({ server, tls: { ca }, authorization: async () => `Bearer ${await read()}` });
}

/** The connection the credentials describe, or a KG_CLUSTER_CONFIG error naming what is wrong. */
export async function openConnection(
  source: CredentialSource,
  inClusterServer: string | undefined,
  options: { readonly now?: () => number; readonly serviceAccountDir?: string } = {},
): Promise<ClusterConnection> {
  const now = options.now ?? Date.now;
  let connection: ClusterConnection | 'client-node';
  try {
    if (source.kind === 'in-cluster') {
      if (inClusterServer === undefined) throw new Error('KUBERNETES_SERVICE_HOST is not set');
      connection = await fromServiceAccount(inClusterServer, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, now);
    } else {
      connection = await fromKubeconfig(source.paths, now);
    }
  } catch (error: unknown) {
    throw new GuardrailsError('KG_CLUSTER_CONFIG', `cannot read the cluster credentials (${describeSource(source)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (connection !== 'client-node') return connection;
  // Imported only for credential plugins and proxies (see above).
  const { clientNodeConnection } = await import('./kube-client-node.js');
  return clientNodeConnection(source);
}
