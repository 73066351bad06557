#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager, etcd and kubectl for the e2e control plane from the Go module
# graph in this directory (go.mod pins k8s.io/kubernetes; etcd is the version k8s pins).
#
# usage: test/e2e/k8sbin/build.sh [kube-apiserver|kube-controller-manager|etcd|kubectl|yamljson ...]   (default: all five)
#
# Output: ${K8S_BIN_CACHE:-$HOME/.cache/kube-guardrails-e2e}/<k8s version>/{kube-apiserver,kube-controller-manager,etcd,kubectl,yamljson-<hash>}
# yamljson (./yamljson) is kubectl's own manifest decoder, the reference of the decoding tests;
# its name carries a hash of its source, so an edited one is rebuilt.
# Binaries that already exist there are not rebuilt. The output directory is printed as
# the last (and only) line of stdout; all other output goes to stderr:
#   BIN_DIR=$(test/e2e/k8sbin/build.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly

log() { echo "k8sbin: $*" >&2; }

K8S=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)   # e.g. v1.33.13
if [[ ! "$K8S" =~ ^v1\.([0-9]+)\.[0-9]+$ ]]; then
  log "unexpected k8s.io/kubernetes version '$K8S' in go.mod"; exit 1
fi
MINOR=${BASH_REMATCH[1]}
OUT="${K8S_BIN_CACHE:-$HOME/.cache/kube-guardrails-e2e}/${K8S}"
mkdir -p "$OUT"

# Same version stamping as upstream's hack/lib/version.sh (both component-base and
# client-go's version packages). gitVersion must equal the module version: a wrong minor
# changes the emulated version and with it the feature-gate defaults. The module has no
# commit hash; an empty gitCommit makes client-go's default User-Agent end in
# "kubernetes/unknown" instead of "kubernetes/$Format".
K8S_LDFLAGS="-s -w"
for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X ${vpkg}.gitVersion=${K8S} -X ${vpkg}.gitMajor=1 -X ${vpkg}.gitMinor=${MINOR}"
  K8S_LDFLAGS+=" -X ${vpkg}.gitCommit= -X ${vpkg}.gitTreeState=clean -X ${vpkg}.buildDate=1970-01-01T00:00:00Z"
done

build() { # name package ldflags [go build args...]
  local name=$1 pkg=$2 ldflags=$3; shift 3
  if [[ -x "$OUT/$name" ]]; then
    log "$name: cached at $OUT/$name"
    return
  fi
  log "$name: building $pkg ($(go version | awk '{print $3}'))"
  local tmp="$OUT/.$name.tmp.$$" start=$SECONDS
  # build to a temp name and rename, so an interrupted build never leaves a "cached" binary
  if ! go build -trimpath "$@" -ldflags "$ldflags" -o "$tmp" "$pkg" >&2; then
    rm -f "$tmp"; log "$name: build failed"; exit 1
  fi
  mv -f "$tmp" "$OUT/$name"
  log "$name: built in $((SECONDS - start))s"
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(kube-apiserver kube-controller-manager etcd kubectl yamljson)
YAMLJSON="yamljson-$(sha256sum yamljson/main.go | cut -c1-12)"
for t in "${targets[@]}"; do
  case "$t" in
    kube-apiserver) build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$K8S_LDFLAGS" -tags=notest ;;
    kube-controller-manager) build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$K8S_LDFLAGS" -tags=notest ;;
    kubectl)        build kubectl k8s.io/kubernetes/cmd/kubectl "$K8S_LDFLAGS" -tags=notest ;;
    etcd)           build etcd go.etcd.io/etcd/server/v3 "-s -w" ;;
    yamljson)       build "$YAMLJSON" ./yamljson "-s -w" && ln -sf "$YAMLJSON" "$OUT/yamljson" ;;
    *) log "unknown target '$t' (want kube-apiserver, kube-controller-manager, etcd, kubectl or yamljson)"; exit 2 ;;
  esac
done

echo "$OUT"
