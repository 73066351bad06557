/**
 * `npm run bench`: every figure in one run. The servers run pinned to one core and this
 * process (the load) to the other. Targets are printed beside the figures; BENCHMARKS.md
 * records a run and what limits each figure.
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCa, makeServingCert } from '../test/helpers/pki.js';
import { execFileSync } from 'node:child_process';
import { auditPassBenchmark, auditTargets, printAuditPass } from './audit-pass.js';
import { compareWithKubeLinter, type PeerComparison } from './check-vs-peer.js';
import { engineBenchmarks, type EngineResult } from './engine.js';
import { closedLoop, openLoop, type ClosedLoopResult, type OpenLoopResult } from './load.js';
import { reviewCorpus } from './reviews.js';
import { CAN_PIN, startCeiling, startWebhook, type RunningServer, type Tls } from './servers.js';
import { POLICIES_PER_NAMESPACE, viewUnderLoad, type ViewLoadResult } from './view-load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? '10');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '32');
const RATE = Number(process.env.BENCH_RATE ?? '1000');

interface ServerRun {
  readonly closed: ClosedLoopResult;
  readonly peakRssMiB: number;
  readonly open?: OpenLoopResult;
}

async function drive(server: RunningServer, bodies: readonly string[], withOpenLoop: boolean): Promise<ServerRun> {
  await closedLoop({ url: server.url, bodies, connections: CONNECTIONS, durationSeconds: 3 }); // warm-up
  const closed = await closedLoop({ url: server.url, bodies, connections: CONNECTIONS, durationSeconds: DURATION });
  const open = withOpenLoop ? await openLoop(server.url, bodies, RATE, DURATION) : undefined;
  return { closed, peakRssMiB: server.peakRssMiB(), ...(open ? { open } : {}) };
}

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function printEngine(results: readonly EngineResult[]): void {
  console.log('\nEngine (one evaluation, in process)');
  for (const r of results) console.log(`  ${r.name.padEnd(66)} ${fmt(r.microsecondsPerEvaluation, 2).padStart(9)} µs  ${Math.round(r.evaluationsPerSecond).toLocaleString('en-US').padStart(9)}/s`);
}

function printHttp(label: string, run: ServerRun): void {
  const c = run.closed;
  console.log(`  ${label.padEnd(16)} ${Math.round(c.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s  p50 ${fmt(c.p50Ms)} ms  p99 ${fmt(c.p99Ms)} ms  p99.9 ${fmt(c.p999Ms)} ms  errors ${c.errors + c.non2xx}/${c.total}  peak RSS ${fmt(run.peakRssMiB)} MiB`);
}

function printOpen(open: OpenLoopResult): void {
  console.log(`\nOpen loop at ${open.rate} reviews/s for ${DURATION} s (latency from each request's scheduled send time)`);
  console.log(`  sent ${open.sent}, completed ${open.completed}, errors ${open.errors}: p50 ${fmt(open.p50Ms, 2)} ms  p99 ${fmt(open.p99Ms, 2)} ms  p99.9 ${fmt(open.p999Ms, 2)} ms  max ${fmt(open.maxMs, 2)} ms`);
}

function printCheck(label: string, run: PeerComparison): void {
  const { corpus, ours, kubeLinter, ratio } = run;
  console.log(`  ${label}: ${corpus.objects.toLocaleString('en-US')} objects in ${corpus.files} files (${fmt(corpus.bytes / 1048576)} MiB), best of ${run.rounds} interleaved runs`);
  console.log(`    kube-guardrails check  ${fmt(ours.wallSeconds, 2)} s  peak RSS ${fmt(ours.peakRssMiB)} MiB  (exit ${ours.exitCode})`);
  if (kubeLinter === undefined) console.log('    kube-linter            not built (README: "Measuring against kube-linter")');
  else console.log(`    kube-linter lint       ${fmt(kubeLinter.wallSeconds, 2)} s  peak RSS ${fmt(kubeLinter.peakRssMiB)} MiB  (exit ${kubeLinter.exitCode}); ours/kube-linter ${fmt(ratio ?? NaN, 2)}`);
}

interface CheckRuns {
  readonly small: PeerComparison;
  readonly large: PeerComparison;
}

interface ViewMemory {
  readonly pods: number;
  readonly networkPolicies: number;
  readonly namespaces: number;
  readonly idleHeapMiB: number;
  readonly heldHeapMiB: number;
  readonly idleRssMiB: number;
  readonly heldRssMiB: number;
}

/** The cluster view's memory, in a process of its own so nothing else shares the heap. */
function viewMemory(): ViewMemory {
  const out = execFileSync(process.execPath, ['--expose-gc', join(ROOT, 'dist-bench', 'bench', 'cluster-view-memory.js')], { encoding: 'utf8' });
  const memory = JSON.parse(out) as ViewMemory;
  console.log(`
Cluster view memory: ${memory.pods.toLocaleString('en-US')} Pods, ${memory.networkPolicies.toLocaleString('en-US')} NetworkPolicies, ${memory.namespaces} Namespaces held`);
  console.log(`  heap ${fmt(memory.idleHeapMiB)} → ${fmt(memory.heldHeapMiB)} MiB (+${fmt(memory.heldHeapMiB - memory.idleHeapMiB)}), RSS ${fmt(memory.idleRssMiB)} → ${fmt(memory.heldRssMiB)} MiB (+${fmt(memory.heldRssMiB - memory.idleRssMiB)}, lists parsed included)`);
  return memory;
}

function printViewLoad(result: ViewLoadResult | undefined): void {
  if (result === undefined) {
    console.log('\nWith a live cluster view: skipped (no kube-apiserver built; run npm run test:e2e once)');
    return;
  }
  const { open } = result;
  console.log(`\nWith a live cluster view (${result.policies.toLocaleString('en-US')} NetworkPolicies, ${POLICIES_PER_NAMESPACE} in each namespace reviewed), open loop at ${open.rate} reviews/s`);
  console.log(`  sent ${open.sent}, completed ${open.completed}, errors ${open.errors}: p50 ${fmt(open.p50Ms, 2)} ms  p99 ${fmt(open.p99Ms, 2)} ms  p99.9 ${fmt(open.p999Ms, 2)} ms  peak RSS ${fmt(result.peakRssMiB)} MiB`);
}

/** The cluster view's targets: what it holds, and what it adds to a review. */
function viewTargets(engine: readonly EngineResult[], memory: ViewMemory, withView: ViewLoadResult | undefined): Record<string, boolean> {
  const busy = engine.find((r) => r.name.startsWith('NetworkPolicy in a namespace of 200'));
  return {
    ...(withView === undefined ? {} : { 'p99 ≤ 5 ms at 1,000 reviews/s with 200 NetworkPolicies per namespace in the view': withView.open.p99Ms <= 5 }),
    'cluster view of 10k Pods, 2k NetworkPolicies, 500 Namespaces < 100 MB over idle': (memory.heldRssMiB - memory.idleRssMiB) * 1.048576 < 100,
    'NetworkPolicy review among 200 policies < 200 µs': (busy?.microsecondsPerEvaluation ?? Infinity) < 200,
  };
}

interface Runs {
  readonly engine: readonly EngineResult[];
  readonly ours: ServerRun;
  readonly ceiling: ServerRun;
  readonly check: CheckRuns;
}

function printTargets({ engine, ours, ceiling, check }: Runs, extra: Record<string, boolean>): Record<string, boolean> {
  const typical = Math.max(engine[0]?.microsecondsPerEvaluation ?? Infinity, engine[1]?.microsecondsPerEvaluation ?? Infinity);
  const ratio = ours.closed.requestsPerSecond / ceiling.closed.requestsPerSecond;
  const targets = {
    'throughput ≥ 85% of the bare-Fastify ceiling': ratio >= 0.85,
    'p99 ≤ 5 ms at 1,000 reviews/s': (ours.open?.p99Ms ?? Infinity) <= 5,
    'typical evaluation < 20 µs': typical < 20,
    'check of 10,000 objects no slower than kube-linter': (check.small.ratio ?? Infinity) <= 1,
    'check of 10,000 objects < 300 MB': check.small.ours.peakRssMiB * 1.048576 < 300,
    'check of 100,000 objects < 10× the 10,000-object time': check.large.ours.wallSeconds < 10 * check.small.ours.wallSeconds,
    'check of 100,000 objects < 1.5 GB': check.large.ours.peakRssMiB * 1.048576 < 1500,
    'RSS < 150 MB under load': ours.peakRssMiB * 1.048576 < 150,
    ...extra,
  };
  console.log(`\nTargets (ours/ceiling = ${fmt(ratio * 100)}%)`);
  for (const [name, ok] of Object.entries(targets)) console.log(`  ${verdict(ok).padEnd(7)} ${name}`);
  return targets;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kg-bench-'));
  const ca = await makeCa(dir);
  const cert = await makeServingCert(dir, ca);
  const tls: Tls = { certPath: cert.certPath, keyPath: cert.keyPath };
  const bodies = reviewCorpus(2_000);
  const sizes = bodies.map((body) => body.length).sort((a, b) => a - b);
  console.log(`kube-guardrails benchmarks: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, servers ${CAN_PIN ? 'pinned to CPU 0, load on CPU 1' : 'not pinned (no taskset)'}`);
  console.log(`Corpus: ${bodies.length} AdmissionReviews (half NetworkPolicies of 1–50 rules, half Pods), 60% allowed / 20% warned / 20% denied; body median ${sizes[sizes.length >> 1] ?? 0} B, max ${sizes[sizes.length - 1] ?? 0} B`);
  console.log(`Closed loop: autocannon, ${CONNECTIONS} keep-alive connections over TLS, ${DURATION} s after a 3 s warm-up`);

  const engine = engineBenchmarks();
  printEngine(engine);
  const memory = viewMemory();

  console.log('\nHTTPS, closed loop');
  const ceilingServer = await startCeiling(ROOT, tls);
  const ceiling = await drive(ceilingServer, bodies, false);
  await ceilingServer.stop();
  printHttp('bare Fastify', ceiling);
  const logLines = { count: 0 };
  const webhook = await startWebhook(ROOT, tls, logLines);
  const ours = await drive(webhook, bodies, true);
  await webhook.stop();
  printHttp('kube-guardrails', ours);
  console.log(`  (kube-guardrails wrote ${logLines.count.toLocaleString('en-US')} log lines: one per decision)`);
  if (ours.open) printOpen(ours.open);
  const withView = await viewUnderLoad(ROOT, dir, tls, { bodies, rate: RATE, durationSeconds: DURATION });
  printViewLoad(withView);
  const auditPass = await auditPassBenchmark(ROOT, dir);
  printAuditPass(auditPass);

  console.log('\ncheck beside kube-linter (JSON output, every core)');
  const check = {
    small: await compareWithKubeLinter(ROOT, join(dir, 'corpus-10k'), { objects: 10_000, files: 40, rounds: 3 }),
    large: await compareWithKubeLinter(ROOT, join(dir, 'corpus-100k'), { objects: 100_000, files: 400, rounds: 1 }),
  };
  printCheck('10k', check.small);
  printCheck('100k', check.large);

  const targets = printTargets({ engine, ours, ceiling, check }, { ...viewTargets(engine, memory, withView), ...auditTargets(auditPass) });
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  const record = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, pinned: CAN_PIN, engine, memory, ceiling, ours, withView, auditPass, check, targets };
  await writeFile(join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log('\nwrote bench/results/latest.json');
  await rm(dir, { recursive: true, force: true });
}

await main();
