#!/usr/bin/env bash
# The end-to-end suite: a real kube-apiserver, kube-controller-manager, etcd and kubectl (built with Go from the
# Go module proxy and cached under ~/.cache) in front of the real webhook.
#
# Without Go it says so and exits 0, unless E2E_REQUIRED=1 (as in .ci/run), where a
# missing Go is a failure: CI must never skip this suite.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v go >/dev/null 2>&1; then
  if [[ "${E2E_REQUIRED:-}" == "1" ]]; then
    echo "e2e: FAILED: E2E_REQUIRED=1 but Go is not on PATH; the end-to-end suite cannot build kube-apiserver." >&2
    exit 1
  fi
  echo "e2e: SKIPPED: the end-to-end suite needs Go (1.24 or later) and the Go module proxy to build kube-apiserver, kube-controller-manager, etcd and kubectl; no 'go' on PATH. Unit, CLI and server tests ran."
  exit 0
fi

echo "e2e: building or reusing kube-apiserver, kube-controller-manager, etcd and kubectl (a cold build takes about 13 minutes on 2 cores)" >&2
K8S_BIN_DIR="$(test/e2e/k8sbin/build.sh)"
export K8S_BIN_DIR
exec npx vitest run --config test/e2e/vitest.config.ts
