#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds, runs and tests with, by purpose:
#   runtime   what a kiosk needs to run the firmware (the kiosk .deb declares the same as Depends)
#   build     what compiling the firmware and its tests needs
#   dev       development and QA only: the vpcd virtual reader and OpenSC (never on a kiosk: vpcd
#             listens on every interface and lets anyone on the LAN present an emulated card),
#             clang for fuzzing and sanitizers, Chromium for the browser tests
#   cross     the aarch64 cross build, the qemu test run, Debian packages, RAUC bundles
#             (toolchain/make-sysroot, toolchain/ci-packages)
# Idempotent: only what is missing is installed. Needs root (or sudo) when something is missing.
# Usage: toolchain/install-deps.sh [--check] [runtime|build|dev|cross|all]...
#   no group: runtime build dev (what toolchain/run-tests and toolchain/run-kiosk-sim need)
#   --check:  list what is missing, install nothing (exit 1 when something is)
set -euo pipefail

RUNTIME=(
  # smart cards: the PC/SC service and the CCID driver of USB readers
  pcscd libccid
  # certificates and keys by hand (the terminal's key, the update keyring)
  openssl
  # the card-surface reader (照合番号B from the printed card): Tesseract's English (digits) and
  # Japanese (date lines) trained data, and the second opinions on digits the two disagree on
  # (Japanese script, Simplified Chinese, Korean); libtesseract comes with the binary's shlibs
  tesseract-ocr-eng tesseract-ocr-jpn tesseract-ocr-script-jpan tesseract-ocr-chi-sim tesseract-ocr-kor
  # the voice guidance of the patient's screen: espeak-ng speaks each message once, into files
  # the page plays (kiosk voice-render), compressed by opusenc
  espeak-ng opus-tools
)
BUILD=(
  build-essential cmake ninja-build pkg-config git ccache
  libpcsclite-dev libssl-dev libsqlite3-dev nlohmann-json3-dev libcpp-httplib-dev libcli11-dev libpugixml-dev
  # camera and images (JPEG 2000 card photos, face verification)
  libopencv-dev
  # the card-surface reader (Tesseract's C++ API); OpenCV's freetype module (the simulator's
  # card faces: FreeType + HarfBuzz) is in opencv-contrib
  libtesseract-dev libopencv-contrib-dev
  # USB inventory for diagnostics; systemd notifications (Type=notify, watchdog)
  libusb-1.0-0-dev libsystemd-dev
  # tests: Catch2 v2
  catch2
)
DEV=(
  # the simulated card behind a real pcscd, OpenSC for interop tests
  vsmartcard-vpcd opensc opensc-pkcs11
  # the terminal key on a PKCS#11 token (tests: a SoftHSM2 token through libp11's engine; a kiosk
  # that keeps its key on a TPM or HSM installs the engine and its token's module)
  softhsm2 libengine-pkcs11-openssl
  # clang + its runtime for libFuzzer and sanitizers
  clang libclang-rt-14-dev
  # the kiosk screen: Chromium (kiosk mode and browser tests) and CJK fonts
  chromium chromium-driver fonts-noto-cjk
  # the simulator's card faces (Gothic and Mincho faces) and the tesseract command (trying the
  # reader's crops by hand)
  fonts-ipafont-gothic fonts-ipafont-mincho tesseract-ocr
)
CROSS=(
  # aarch64: cross compiler, the arm64 sysroot (mmdebstrap), tests under qemu
  g++-aarch64-linux-gnu mmdebstrap qemu-user-static
  # Debian packages (dpkg-shlibdeps, lintian) and RAUC bundles (squashfs)
  dpkg-dev fakeroot file lintian rauc squashfs-tools
)

check_only=0
groups=()
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    runtime|build|dev|cross) groups+=("$arg") ;;
    all) groups+=(runtime build dev cross) ;;
    *) echo "install-deps: unknown argument '$arg' (groups: runtime build dev cross all; option --check)" >&2; exit 2 ;;
  esac
done
[[ ${#groups[@]} -gt 0 ]] || groups=(runtime build dev)

PACKAGES=()
for g in "${groups[@]}"; do
  case "$g" in
    runtime) PACKAGES+=("${RUNTIME[@]}") ;;
    build) PACKAGES+=("${BUILD[@]}") ;;
    dev) PACKAGES+=("${DEV[@]}") ;;
    cross) PACKAGES+=("${CROSS[@]}") ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present (${groups[*]})"
  exit 0
fi
if [[ $check_only -eq 1 ]]; then
  echo "install-deps: missing (${groups[*]}): ${missing[*]}"
  exit 1
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: missing ${missing[*]}; run as root to install them" >&2; exit 1
  fi
fi
echo "install-deps: installing (${groups[*]}) ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
