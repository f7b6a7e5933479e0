#!/usr/bin/env bash
# Installs every Debian 12 package axle needs to build, test, benchmark and run its demo.
# Idempotent: packages already present are skipped; nothing is downloaded outside apt.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-14 lld lld-14 llvm-14 libclang-rt-14-dev
  # libraries
  libssl-dev openssl libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev nlohmann-json3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libtss2-dev swtpm swtpm-tools tpm2-tools  # identity: TPM 2.0 (tpm2-tss ESAPI), tested against swtpm
  golang-go golang-golang-x-mod-dev  # audit: an independent RFC 9162 / signed-note verifier (Go)
  iceoryx libiceoryx-posh-dev libiceoryx-hoofs-dev cyclonedds-dev cyclonedds-tools  # bus: the peers of axle bench
  libzstd-dev zstd  # audit: zstd-compressed segment archives (zstd: restore and tests)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}; run this script as root (or install them with apt)" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
