// `kiosk staff-passcode`: reads a staff passcode from standard input (twice, without echo, on a
// terminal; one line from a pipe) and prints its hash for staff.accounts[].passcode_hash.
// The passcode is never taken from the command line (it would show in ps and shell history).
#pragma once

#include <cstdio>
#include <iosfwd>

namespace kiosk::firmware::kiosk {

// Returns the exit code: 0 printed, 2 no passcode / the two entries differ / too long.
int run_staff_passcode(std::FILE* in, std::ostream& out, std::ostream& err, int iterations);

}  // namespace kiosk::firmware::kiosk
