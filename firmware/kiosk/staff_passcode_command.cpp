#include "firmware/kiosk/staff_passcode_command.hpp"

#include <unistd.h>

#include <ostream>
#include <stdexcept>

#include "core/card/secret.hpp"
#include "firmware/staff/staff_auth.hpp"
#include "firmware/screen/terminal_frontend.hpp"

namespace kiosk::firmware::kiosk {
namespace {

// One line into a Secret, character by character (no std::string copy). False at end of input.
bool read_line(std::FILE* in, core::card::Secret& out) {
  out.clear();
  bool any = false;
  for (int c = std::fgetc(in); c != EOF; c = std::fgetc(in)) {
    any = true;
    if (c == '\n') return true;
    if (c == '\r') continue;
    out.push_back(static_cast<char>(c));  // throws std::length_error past 32 characters
  }
  return any;
}

bool same(const core::card::Secret& a, const core::card::Secret& b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned>(a.bytes()[i] ^ b.bytes()[i]);
  return diff == 0;
}

}  // namespace

int run_staff_passcode(std::FILE* in, std::ostream& out, std::ostream& err, int iterations) {
  const int fd = ::fileno(in);
  const bool interactive = ::isatty(fd) != 0;
  core::card::Secret first;
  core::card::Secret second;
  try {
    const firmware::screen::EchoOff quiet(fd);
    if (interactive) err << "Staff passcode (6 to 32 digits): " << std::flush;
    if (!read_line(in, first)) first.clear();
    if (interactive) {
      err << "\nAgain: " << std::flush;
      if (!read_line(in, second)) second.clear();
      err << "\n";
    }
  } catch (const std::length_error&) {
    err << "kiosk staff-passcode: the passcode is longer than 32 characters\n";
    return 2;
  }
  if (const auto problem = firmware::staff::passcode_problem(first)) {
    err << "kiosk staff-passcode: " << *problem << " (give it on standard input)\n";
    return 2;
  }
  if (interactive && !same(first, second)) {
    err << "kiosk staff-passcode: the two entries differ; nothing was printed\n";
    return 2;
  }
  try {
    out << firmware::staff::hash_passcode(first, iterations) << "\n";
  } catch (const std::invalid_argument& e) {
    err << "kiosk staff-passcode: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace kiosk::firmware::kiosk
