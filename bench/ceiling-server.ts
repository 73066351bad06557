/**
 * The ceiling: bare Fastify over the same TLS, with the same body limit and keep-alive,
 * parsing the same AdmissionReview bodies and answering a constant AdmissionReview.
 * No logging, no metrics, no judgement: what Node and Fastify cost on their own.
 */
import fastify from 'fastify';
import { readFileSync } from 'node:fs';

const [certPath, keyPath] = process.argv.slice(2);
if (certPath === undefined || keyPath === undefined) throw new Error('usage: ceiling-server CERT KEY');

const ANSWER = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '00000000-0000-4000-8000-000000000000', allowed: true } };

const app = fastify({
  https: { cert: readFileSync(certPath), key: readFileSync(keyPath), minVersion: 'TLSv1.2' },
  bodyLimit: 8 * 1024 * 1024,
  keepAliveTimeout: 120_000,
});
app.post('/validate', () => ANSWER);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ msg: 'ceiling ready', address })}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
