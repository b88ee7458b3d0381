// The staff pages on the clinic's LAN: the reception PC opens https://<kiosk>:<port>/staff
// (README "Staff pages from the reception PC"). Off unless configured. Only the staff side is
// served there: login, sessions, the visual check, the desk, diagnostics and the staff page's own
// files; the patient screen (/, /events, /input, /activity, /healthz) stays on 127.0.0.1.
//
// Every request on the LAN server must
//   - come from an address of the allow-list (CIDR ranges; nothing is allowed by default),
//   - name one of the kiosk's configured host names in Host, and in Origin when one is sent
//     (a web page elsewhere cannot reach the kiosk through DNS rebinding),
//   - arrive over TLS 1.2 or later, with the kiosk's own certificate and key.
// An address outside the allow-list is closed before its TLS handshake; a handshake must end
// within 5 s and a request arrive within 10 s; one address holds at most 8 connections
// (drivers/https/guarded_server.hpp): slow or stalled clients cannot starve the staff pages.
// The login, its lockout and the audit in the journal are the kiosk's one StaffAuthenticator;
// the session cookie carries Secure there.
#pragma once

#include <httplib.h>

#include "drivers/https/guarded_server.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::firmware::screen {

// An IPv4 or IPv6 network in CIDR notation ("192.168.10.0/24", "fd00::/8", "10.0.0.7").
struct AddressRange {
  bool v6 = false;
  std::array<std::uint8_t, 16> network{};  // IPv4 in the first 4 bytes
  int prefix = 0;                          // bits that must match

  // Throws std::invalid_argument naming what is wrong. A bare address is a /32 (/128).
  static AddressRange parse(std::string_view text);
  // `address` as httplib gives a peer ("192.168.10.5", "::1", "::ffff:192.168.10.5").
  bool contains(std::string_view address) const;
};

// The reception PCs' ranges (staff_lan.allow), parsed once: the server closes other addresses
// before their handshake, and the request rules refuse them again (in case a server is built
// without the first check). Throws std::invalid_argument naming a bad range.
class AllowList {
 public:
  explicit AllowList(const std::vector<std::string>& ranges);
  bool admits(std::string_view address) const;

 private:
  std::vector<AddressRange> ranges_;
};

struct StaffLanConfig {
  std::string address = "0.0.0.0";          // the address to bind (an interface of the kiosk)
  int port = 8443;                          // 0: any free port (tests)
  std::filesystem::path certificate;        // PEM: the kiosk's certificate (and its chain)
  std::filesystem::path key;                // PEM: its private key
  std::vector<std::string> allow;           // CIDR ranges of the reception PCs
  std::vector<std::string> host_names;      // names and addresses staff type to reach the kiosk
};

// What is wrong with `config` ("staff_lan.allow: ..."), empty when it is complete: the ranges,
// the host names, the address, a certificate and a key named. The files themselves are loaded
// when the server starts (make_staff_lan_server), as the kiosk's user.
std::vector<std::string> staff_lan_problems(const StaffLanConfig& config);

// The page files the LAN server serves: the staff page's own (staff.html through /staff and
// /desk, staff.js, kiosk.css, i18n/*.json); every other path is 404 there.
bool staff_page_file(std::string_view path);

// The TLS server for the LAN with the kiosk's certificate, `workers` threads, refusing addresses
// outside the allow-list at once; throws std::runtime_error saying what could not be loaded.
std::unique_ptr<drivers::https::GuardedServer> make_staff_lan_server(const StaffLanConfig& config, std::size_t workers,
                                                                     std::shared_ptr<const AllowList> allow);

// Refuses (403) every request from outside the allow-list or naming another host, and answers
// errors with a JSON body. `port` is the bound port (read at request time).
void install_staff_lan_rules(httplib::Server& server, const StaffLanConfig& config, const int& port,
                             std::shared_ptr<const AllowList> allow);

}  // namespace kiosk::firmware::screen
