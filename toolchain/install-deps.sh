#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds, runs and tests with.
# Idempotent: only what is missing is installed. Needs root (or sudo) when something is missing.
# Usage: toolchain/install-deps.sh [--check]   (--check: list what is missing, install nothing)
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git
  # smart cards: PC/SC, the vpcd virtual reader, OpenSC for interop tests
  libpcsclite-dev pcscd vsmartcard-vpcd opensc opensc-pkcs11
  # crypto, storage, formats, CLI
  libssl-dev openssl libsqlite3-dev nlohmann-json3-dev libcpp-httplib-dev libcli11-dev libpugixml-dev
  # camera and images (JPEG 2000 card photos, face verification)
  libopencv-dev
  # USB inventory for diagnostics
  libusb-1.0-0-dev
  # tests: Catch2 v2, clang + its runtime for libFuzzer and sanitizers
  catch2 clang libclang-rt-14-dev
  # the kiosk screen: Chromium (kiosk mode and browser tests) and CJK fonts
  chromium chromium-driver fonts-noto-cjk
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  echo "install-deps: missing: ${missing[*]}"
  exit 1
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: missing ${missing[*]}; run as root to install them" >&2; exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
