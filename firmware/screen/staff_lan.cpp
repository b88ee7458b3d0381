#include "firmware/screen/staff_lan.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <utility>

#include "drivers/https/terminal_key.hpp"
#include "firmware/screen/http_hygiene.hpp"

namespace kiosk::firmware::screen {
namespace {

// The address as 16 bytes (IPv4 in the first 4), or nullopt when it is not one.
std::optional<std::pair<bool, std::array<std::uint8_t, 16>>> parse_address(std::string_view text) {
  const std::string s(text);
  std::array<std::uint8_t, 16> bytes{};
  if (::inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) return std::pair{false, bytes};
  if (::inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) return std::pair{true, bytes};
  return std::nullopt;
}

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Host names as staff type them: letters, digits, dots, hyphens, or an IPv6 address in brackets.
bool plausible_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.front() == '[') return name.back() == ']' && parse_address(name.substr(1, name.size() - 2)).has_value();
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

bool lower_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// Host (and Origin, when sent) name one of the kiosk's names with the bound port.
bool lan_host_allowed(const httplib::Request& req, const StaffLanConfig& config, int port) {
  const std::string host = req.get_header_value("Host");
  const bool named = std::any_of(config.host_names.begin(), config.host_names.end(), [&](const std::string& name) {
    return lower_equal(host, name + ":" + std::to_string(port)) || (port == 443 && lower_equal(host, name));
  });
  if (!named) return false;
  if (req.has_header("Origin")) return lower_equal(req.get_header_value("Origin"), "https://" + host);
  return true;
}

// Sets up the TLS context: TLS 1.2 or later, the certificate chain, the key (a 0600 file of the
// kiosk's user, read into a buffer that is wiped, as the terminal key is), and that they match.
bool set_up_tls(SSL_CTX& ctx, const StaffLanConfig& config, std::string& problem) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(&ctx, config.certificate.c_str()) != 1) {
    problem = "staff_lan.certificate: cannot load " + config.certificate.string() + ": " + openssl_reason();
    return false;
  }
  if (const auto unsafe = drivers::https::private_file_problem(config.key, "the staff pages' key")) {
    problem = "staff_lan.key: " + *unsafe;
    return false;
  }
  try {
    const auto key = drivers::https::load_terminal_key({.key = config.key, .pkcs11_module = {}, .pkcs11_pin_file = {}});
    if (SSL_CTX_use_PrivateKey(&ctx, key.get()) != 1 || SSL_CTX_check_private_key(&ctx) != 1) {
      problem = "staff_lan.key: " + config.key.string() + " is not the key of " + config.certificate.string() + ": " +
                openssl_reason();
      return false;
    }
  } catch (const std::exception& e) {
    problem = std::string("staff_lan.key: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace

AddressRange AddressRange::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  const auto parsed = parse_address(address);
  if (!parsed) throw std::invalid_argument("'" + std::string(text) + "' is not an IPv4 or IPv6 address or network");
  AddressRange range;
  range.v6 = parsed->first;
  range.network = parsed->second;
  const int bits = range.v6 ? 128 : 32;
  range.prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    int prefix = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 || prefix > bits) {
      throw std::invalid_argument("'" + std::string(text) + "': the prefix length must be 0.." + std::to_string(bits));
    }
    range.prefix = prefix;
  }
  return range;
}

bool AddressRange::contains(std::string_view address) const {
  auto parsed = parse_address(address);
  if (!parsed) return false;
  auto [is_v6, bytes] = *parsed;
  // An IPv4 peer on a dual-stack socket: ::ffff:a.b.c.d.
  static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (is_v6 && !v6 && std::equal(kMapped.begin(), kMapped.end(), bytes.begin())) {
    std::copy(bytes.begin() + 12, bytes.end(), bytes.begin());
    is_v6 = false;
  }
  if (is_v6 != v6) return false;
  const int whole = prefix / 8;
  const int rest = prefix % 8;
  for (int i = 0; i < whole; ++i) {
    const auto at = static_cast<std::size_t>(i);
    if (bytes[at] != network[at]) return false;
  }
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  const auto at = static_cast<std::size_t>(whole);
  return (bytes[at] & mask) == (network[at] & mask);
}

std::vector<std::string> staff_lan_problems(const StaffLanConfig& config) {
  std::vector<std::string> problems;
  if (config.allow.empty()) {
    problems.emplace_back("staff_lan.allow: name the reception PCs' addresses or network (e.g. \"192.168.10.0/24\"); "
                          "nothing is allowed by default");
  }
  for (const auto& range : config.allow) {
    try {
      (void)AddressRange::parse(range);
    } catch (const std::invalid_argument& e) {
      problems.push_back(std::string("staff_lan.allow: ") + e.what());
    }
  }
  if (config.host_names.empty()) {
    problems.emplace_back("staff_lan.host_names: name what staff type to reach the kiosk (its name or address, as in "
                          "the certificate)");
  }
  for (const auto& name : config.host_names) {
    if (!plausible_host_name(name)) problems.push_back("staff_lan.host_names: '" + name + "' is not a host name or address");
  }
  if (!parse_address(config.address)) problems.push_back("staff_lan.address: '" + config.address + "' is not an address");
  if (config.certificate.empty()) problems.emplace_back("staff_lan.certificate: the kiosk's certificate (PEM) is required");
  if (config.key.empty()) problems.emplace_back("staff_lan.key: the certificate's private key (PEM, mode 0600) is required");
  return problems;
}

bool staff_page_file(std::string_view path) {
  if (path == "/staff" || path == "/desk" || path == "/staff.js" || path == "/kiosk.css") return true;
  constexpr std::string_view kTexts = "/i18n/";
  if (path.substr(0, kTexts.size()) != kTexts) return false;
  const std::string_view file = path.substr(kTexts.size());
  return file.size() > 5 && file.find('/') == std::string_view::npos && file.substr(file.size() - 5) == ".json";
}

AllowList::AllowList(const std::vector<std::string>& ranges) {
  for (const auto& range : ranges) ranges_.push_back(AddressRange::parse(range));
}

bool AllowList::admits(std::string_view address) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const AddressRange& r) { return r.contains(address); });
}

std::unique_ptr<drivers::https::GuardedServer> make_staff_lan_server(const StaffLanConfig& config, std::size_t workers,
                                                                     std::shared_ptr<const AllowList> allow) {
  drivers::https::ConnectionLimits limits;
  limits.workers = workers;
  limits.per_peer = 8;  // a reception PC's browser opens about six
  limits.tls_handshake = std::chrono::seconds(5);
  limits.request_read = std::chrono::seconds(10);
  limits.admit = [allow = std::move(allow)](const std::string& address) { return allow->admits(address); };
  std::string problem;
  auto server = std::make_unique<drivers::https::GuardedServer>(std::move(limits), [&](SSL_CTX& ctx) {
    return set_up_tls(ctx, config, problem);
  });
  if (!server->is_valid()) {
    throw std::runtime_error("staff pages on the LAN: " + (problem.empty() ? openssl_reason() : problem));
  }
  return server;
}

void install_staff_lan_rules(httplib::Server& server, const StaffLanConfig& config, const int& port,
                             std::shared_ptr<const AllowList> allow) {
  server.set_default_headers(default_headers());
  server.set_pre_routing_handler([allow = std::move(allow), &config, &port](const httplib::Request& req,
                                                                           httplib::Response& res) {
    if (!allow->admits(req.remote_addr)) {
      send_error(res, 403, "this address may not open the staff pages", "staff_lan.allow");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!lan_host_allowed(req, config, port)) {
      send_error(res, 403, "requests must name this kiosk", "staff_lan.host_names");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (refuse_unsized_body(req, res)) return httplib::Server::HandlerResponse::Handled;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  install_error_answers(server);
}

}  // namespace kiosk::firmware::screen
