#!/usr/bin/env bash
# Makes a CA and a serving certificate for the webhook Service, and prints the caBundle.
#
#   certs/make-certs.sh [OUTPUT_DIR]        (default: certs/out, which git ignores)
#
# Then:
#   kubectl create namespace kube-guardrails
#   kubectl -n kube-guardrails create secret tls kube-guardrails-tls \
#     --cert=certs/out/tls.crt --key=certs/out/tls.key
#   kubectl apply -k manifests/
#   kubectl patch validatingwebhookconfiguration kube-guardrails --type=json \
#     -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$(cat certs/out/ca.bundle)\"}]"
#
# SERVICE and NAMESPACE override the names; DAYS the leaf lifetime (the CA lives 10 years).
set -euo pipefail

out="${1:-$(dirname "$0")/out}"
service="${SERVICE:-kube-guardrails}"
namespace="${NAMESPACE:-kube-guardrails}"
days="${DAYS:-365}"
mkdir -p "$out"
umask 077

if [[ ! -f "$out/ca.key" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
    -keyout "$out/ca.key" -out "$out/ca.crt" -subj "/CN=kube-guardrails-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

# The API server checks the name it dials, <service>.<namespace>.svc, against the SANs.
sans="DNS:${service},DNS:${service}.${namespace},DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
  -keyout "$out/tls.key" -out "$out/tls.csr" -subj "/CN=${service}.${namespace}.svc" \
  -addext "subjectAltName=${sans}" -addext "extendedKeyUsage=serverAuth" \
  -addext "keyUsage=critical,digitalSignature" 2>/dev/null
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days "$days" -sha256 -copy_extensions copyall -out "$out/tls.crt" 2>/dev/null
rm -f "$out/tls.csr"
base64 -w0 < "$out/ca.crt" > "$out/ca.bundle"

echo "wrote $out/ca.crt, $out/tls.crt, $out/tls.key (SANs: $sans)" >&2
echo "caBundle:" >&2
cat "$out/ca.bundle"
echo
