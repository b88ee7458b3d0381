#!/usr/bin/env bash
# The update health check's decision (toolchain/packaging/kiosk-health-check --decide): which
# states after boot mark the booted RAUC slot good and which mark it bad (roll back).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
hc="$src/toolchain/packaging/kiosk-health-check"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
expect() {  # expect VERDICT-PREFIX STATE EXIT TABLE-FILE  (what the case is, for the log)
  local want=$1 got
  got=$("$hc" --decide "$2" "$3" "$4")
  if [[ "$got" == "$want"* ]]; then echo "ok: $2, diag $3, $(basename "$4") -> $got"
  else echo "FAILED: $2, diag $3, $(basename "$4"): expected $want..., got '$got'"; fails=$((fails + 1)); fi
}
header="AREA  CHECK                   RESULT  MEASURED"
printf '%s\nhost  configuration           PASS    /etc/kiosk/kiosk.json\nhost  journal integrity       PASS    ok\npcsc  card service (pcscd)    PASS    pcscd\n' "$header" > "$work/all-pass"
printf '%s\nhost  disk space              WARN    800 MB free\n                                      -> free some space\npcsc  readers                 PASS    SONY\n' "$header" > "$work/warn"
printf '%s\nhost  configuration           FAIL    staff.accounts: expected a list\n                                      -> fix the configuration\n' "$header" > "$work/config-fail"
printf '%s\nhost  journal integrity       FAIL    database disk image is malformed\n' "$header" > "$work/journal-fail"
printf '%s\nusb   card reader present     FAIL    no CCID reader on USB\npcsc  readers                 FAIL    no reader known to the card service\ncamera camera                 FAIL    /dev/video0 busy\nservice reachability          FAIL    connection refused\n' "$header" > "$work/hardware-fail"
: > "$work/empty"

expect good active 0 "$work/all-pass"
expect good active 1 "$work/warn"
expect bad active 2 "$work/config-fail"          # the new firmware refuses the configuration
expect bad active 2 "$work/journal-fail"         # the journal is broken (a migration went wrong)
expect good active 2 "$work/hardware-fail"       # an update cannot plug the reader in: no rollback
expect bad failed 0 "$work/all-pass"             # the kiosk service crashed or never got READY
expect bad activating 0 "$work/all-pass"         # still not ready after the wait
expect bad inactive 0 "$work/all-pass"
expect bad active 139 "$work/empty"              # diag itself crashed (SIGSEGV)
expect bad active 127 "$work/empty"              # no kiosk binary
got=$("$hc" --decide active 2 "$work/hardware-fail")
[[ "$got" == *"camera"* && "$got" == *"pcsc"* && "$got" == *"service"* && "$got" == *"usb"* ]] \
  && echo "ok: the good verdict names the failing areas" || { echo "FAILED: areas not named: $got"; fails=$((fails + 1)); }
if [[ $fails -ne 0 ]]; then echo "health check: $fails case(s) failed"; exit 1; fi
echo "health check: every case decided as expected"
