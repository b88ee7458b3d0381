#!/usr/bin/env bash
# Signed updates: a RAUC bundle carrying a kiosk package is made and signed with a throw-away
# project update key (generated here, never committed), verifies against the keyring, and is
# refused when a byte of it is flipped (payload or signature), when another key signed it, and
# when the signer is not a code-signing certificate. RAUC checks what a board checks before it
# installs: the signature (rauc info) and, for verity bundles, the payload's hash tree
# (rauc extract, as rauc install does through dm-verity).
# Exit 77 (skipped) when rauc or mksquashfs is missing (toolchain/install-deps.sh cross).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
# KIOSK_DEB is named from the caller's folder; the test works in a temporary one.
[[ -z "${KIOSK_DEB:-}" ]] || KIOSK_DEB=$(realpath "$KIOSK_DEB")
for tool in rauc mksquashfs openssl dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (toolchain/install-deps.sh cross)"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
conf="$src/toolchain/packaging/rauc/system.conf"
fails=0
check() {  # check "what" command...: the command must succeed
  local what=$1; shift
  if "$@" >out.log 2>&1; then echo "ok: $what"; else echo "FAILED: $what"; cat out.log; fails=$((fails + 1)); fi
}
refuse() {  # refuse "what" "expected message" command...: the command must fail saying so
  local what=$1 expected=$2; shift 2
  if "$@" >out.log 2>&1; then echo "FAILED (accepted): $what"; fails=$((fails + 1));
  elif grep -q -- "$expected" out.log; then echo "ok: $what refused ($(grep -m1 -- "$expected" out.log | sed 's/^.*: //'))";
  else echo "FAILED (refused for another reason): $what"; cat out.log; fails=$((fails + 1)); fi
}

cat > x509.cnf <<'CNF'
[req]
distinguished_name=dn
[dn]
[ca]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[signer]
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[mail]
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=emailProtection
CNF
make_ca() {  # make_ca NAME
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.pem" \
    -days 3650 -subj "/CN=$1" -config x509.cnf -extensions ca 2>/dev/null
}
make_signer() {  # make_signer NAME CA EXTENSIONS
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" \
    -subj "/CN=$1" -config x509.cnf 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" -days 365 \
    -extfile x509.cnf -extensions "$3" 2>/dev/null
}
make_ca update-ca
make_signer update-signer update-ca signer
make_ca other-ca
make_signer other-signer other-ca signer
make_signer mail-signer update-ca mail

# A kiosk package: the real one when given (KIOSK_DEB), else a small stand-in.
deb="${KIOSK_DEB:-}"
if [[ -z "$deb" ]]; then
  mkdir -p pkg/DEBIAN pkg/usr/share/kiosk
  printf 'Package: kiosk\nVersion: 0.1.0\nArchitecture: arm64\nMaintainer: t <t@example.com>\nDescription: test\n' > pkg/DEBIAN/control
  head -c 300000 /dev/urandom > pkg/usr/share/kiosk/payload
  dpkg-deb -b pkg kiosk.deb >/dev/null
  deb=kiosk.deb
fi

mb="$src/toolchain/packaging/rauc/make-bundle"
check "bundle made, signed and verified against the keyring" \
  "$mb" --deb "$deb" --cert update-signer.pem --key update-signer.key --keyring update-ca.pem --out good.raucb
check "rauc info --keyring verifies the signature" rauc --conf="$conf" --keyring=update-ca.pem info good.raucb
grep -q "Verified inline signature by 'CN = update-signer'" out.log && echo "ok: signed by the update signer" \
  || { echo "FAILED: signer not named"; fails=$((fails + 1)); }
check "rauc extract checks the payload and finds the package and its install hook" \
  rauc --conf="$conf" --keyring=update-ca.pem extract good.raucb content
cmp -s content/kiosk.deb "$deb" && [[ -x content/hook ]] && grep -q '^hooks=install' content/manifest.raucm \
  && echo "ok: the bundle carries the package unchanged, the hook and an install-hook manifest" \
  || { echo "FAILED: bundle content"; fails=$((fails + 1)); }

flip() {  # flip IN OUT OFFSET: one bit of one byte
  cp "$1" "$2"
  local b
  b=$(od -An -tu1 -j"$3" -N1 "$2" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$2" bs=1 seek="$3" conv=notrunc 2>/dev/null
}
size=$(stat -c %s good.raucb)
flip good.raucb payload.raucb $((size / 2))
refuse "a byte flipped in the payload (rauc extract)" "payload is corrupted" \
  rauc --conf="$conf" --keyring=update-ca.pem extract payload.raucb x1
flip good.raucb signature.raucb $((size - 40))
refuse "a byte flipped in the signature (rauc info)" "signature verification failed" \
  rauc --conf="$conf" --keyring=update-ca.pem info signature.raucb
"$mb" --deb "$deb" --cert other-signer.pem --key other-signer.key --out other.raucb >/dev/null 2>&1
refuse "a bundle signed by another key" "signature verification failed" \
  rauc --conf="$conf" --keyring=update-ca.pem info other.raucb
"$mb" --deb "$deb" --cert mail-signer.pem --key mail-signer.key --out mail.raucb >/dev/null 2>&1
refuse "a bundle signed by a certificate of the CA that is not for code signing" "unsuitable certificate purpose" \
  rauc --conf="$conf" --keyring=update-ca.pem info mail.raucb
mkdir -p other/DEBIAN
printf 'Package: other\nVersion: 1\nArchitecture: arm64\nMaintainer: t <t@example.com>\nDescription: test\n' > other/DEBIAN/control
dpkg-deb -b other other.deb >/dev/null
refuse "make-bundle refuses a package that is not kiosk" "not kiosk" \
  "$mb" --deb other.deb --cert update-signer.pem --key update-signer.key --out o.raucb

if [[ $fails -ne 0 ]]; then echo "rauc: $fails check(s) failed"; exit 1; fi
echo "rauc: signed bundle verified; tampered, foreign-signed and wrong-purpose bundles refused"
