// kiosk-sim eligibility ...: the simulated national eligibility service (オンライン資格確認).
//   init   the service's CA, server certificate, one terminal certificate and a sample fixture
//   serve  the HTTPS (mTLS) service on a loopback port until Ctrl-C
//   audit  the last entries of the service's audit table
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>

#include "firmware/kiosk_sim/commands.hpp"
#include "hal/calendar.hpp"
#include "hal/files.hpp"
#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/rules.hpp"
#include "sim/eligibility/service.hpp"

namespace kiosk::firmware::kiosk_sim {
namespace {

namespace fs = std::filesystem;
namespace elig = kiosk::sim::eligibility;

std::optional<std::chrono::year_month_day> parse_date_option(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const auto d = hal::calendar::parse_iso_date(text);
  if (!d) throw CLI::ValidationError("--today", "expected YYYY-MM-DD, got '" + text + "'");
  return d;
}

struct InitOptions {
  std::string dir;
  std::string medical_institution_code = "1312345678";
  std::string jpki_ca;
  std::vector<std::string> cards;
  std::string today;
};

void run_init(const InitOptions& o) {
  const fs::path dir = o.dir;
  // The demo world's layout: <world>/ca, <world>/cards/*.json, <world>/eligibility (DIR).
  fs::path world = fs::absolute(dir).lexically_normal();
  if (world.filename().empty()) world = world.parent_path();
  world = world.parent_path();
  const fs::path jpki_ca = o.jpki_ca.empty() ? world / "ca" : fs::path(o.jpki_ca);
  std::vector<fs::path> cards(o.cards.begin(), o.cards.end());
  if (cards.empty()) {
    std::error_code ec;
    const fs::path card_dir = world / "cards";
    if (fs::is_directory(card_dir, ec)) {
      for (const auto& entry : fs::directory_iterator(card_dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") cards.push_back(entry.path());
      }
      std::sort(cards.begin(), cards.end());
    }
  }
  const auto now = std::chrono::system_clock::now();
  const auto today = parse_date_option(o.today).value_or(elig::japan_date(now));
  const elig::ServiceDirectory files = elig::init_service_directory(dir, o.medical_institution_code, now);
  std::cout << "created the eligibility service's CA, server and terminal certificates in " << dir.string() << "\n"
            << "  service CA (the kiosk pins it): " << files.service_ca.string() << "\n"
            << "  terminal certificate / key:     " << files.terminal_certificate.string() << " / "
            << files.terminal_key.string() << " (medical institution " << o.medical_institution_code << ")\n";
  const fs::path fixture = dir / "fixture.json";
  std::error_code ec;
  if (fs::exists(fixture, ec)) {
    std::cout << "  kept the existing fixture " << fixture.string() << "\n";
    return;
  }
  const std::string text = elig::sample_fixture({fs::absolute(dir), fs::absolute(jpki_ca), [&] {
                                                   std::vector<fs::path> absolute;
                                                   for (const auto& c : cards) absolute.push_back(fs::absolute(c));
                                                   return absolute;
                                                 }(),
                                                 today});
  hal::write_file_atomically(fixture, text, 0644);
  std::cout << "  sample fixture: " << fixture.string() << " (" << cards.size() << " card holder(s); JPKI CA "
            << jpki_ca.string() << ")\n";
}

struct ServeOptions {
  std::string dir;
  std::string fixture;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string today;
  std::string database;
  bool quiet = false;
  int delay_ms = 0;
  std::string fault = "none";
};

elig::Faults::Reply fault_from(const std::string& name) {
  if (name == "none") return elig::Faults::Reply::Normal;
  if (name == "malformed-json") return elig::Faults::Reply::MalformedJson;
  if (name == "wrong-content-type") return elig::Faults::Reply::WrongContentType;
  if (name == "wrong-version") return elig::Faults::Reply::WrongVersion;
  if (name == "internal-error") return elig::Faults::Reply::InternalError;
  if (name == "unavailable") return elig::Faults::Reply::Unavailable;
  throw CLI::ValidationError("--fault", "unknown fault '" + name + "'");
}

void run_serve(const ServeOptions& o) {
  const elig::Fixture fixture = elig::Fixture::load(o.fixture.empty() ? fs::path(o.dir) / "fixture.json" : fs::path(o.fixture));
  elig::ServiceOptions options = elig::options_for_directory(o.dir, fixture);
  options.host = o.host;
  options.port = o.port;
  if (!o.database.empty()) options.database = o.database;
  if (const auto today = parse_date_option(o.today)) {
    // Whole days of shift: the service's Japan date is `today`, its time of day is the real one.
    const auto shift = std::chrono::sys_days{*today} - std::chrono::sys_days{elig::japan_date(std::chrono::system_clock::now())};
    options.clock = [shift] { return std::chrono::system_clock::now() + shift; };
  }
  if (!o.quiet) options.log = [](const std::string& line) { std::cout << "[eligibility] " << line << "\n" << std::flush; };

  // Ctrl-C / SIGTERM are taken by sigwait below: block them before the server's threads start.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  elig::SimulatedEligibilityService service(options, fixture);
  service.set_faults({std::chrono::milliseconds{o.delay_ms}, fault_from(o.fault), ""});
  service.start();
  const auto clock_now = options.clock ? options.clock() : std::chrono::system_clock::now();
  std::cout << "eligibility service listening on " << service.url() << " (today "
            << hal::calendar::format_iso_date(elig::japan_date(clock_now)) << " in Japan, " << fixture.people.size()
            << " people, database " << options.database << ")\n"
            << "  kiosk: pin " << (fs::path(o.dir) / "service-ca.pem").string() << ", present "
            << (fs::path(o.dir) / "terminal.pem").string() << "\n"
            << "Ctrl-C stops it.\n"
            << std::flush;
  int received = 0;
  sigwait(&signals, &received);
  std::cout << "stopping (signal " << received << ")\n";
  service.stop();
  const auto c = service.counters();
  std::cout << c.requests << " requests, " << c.confirmations << " answered, " << c.refusals << " refused\n";
}

}  // namespace

void register_eligibility_commands(CLI::App& app) {
  CLI::App* eligibility = app.add_subcommand("eligibility", "The simulated national eligibility service (オンライン資格確認)");
  eligibility->require_subcommand(1);

  auto init_options = std::make_shared<InitOptions>();
  auto* init = eligibility->add_subcommand(
      "init", "Create the service's CA, server certificate, a terminal certificate and a sample fixture in a folder");
  init->add_option("--dir", init_options->dir, "Folder to create (refused if a service CA is there)")->required();
  init->add_option("--medical-institution-code", init_options->medical_institution_code,
                   "10-digit code the terminal certificate is issued to")
      ->capture_default_str();
  init->add_option("--jpki-ca", init_options->jpki_ca, "The simulated JPKI CA of the cards (default: the folder ca next to DIR)");
  init->add_option("--card", init_options->cards, "Card file of a card holder for the sample fixture (repeatable; "
                                                  "default: cards/*.json next to DIR)");
  init->add_option("--today", init_options->today, "Date the sample's recent filings are relative to (YYYY-MM-DD)");
  init->callback([init_options] { run_init(*init_options); });

  auto serve_options = std::make_shared<ServeOptions>();
  auto* serve = eligibility->add_subcommand("serve", "Run the service on a loopback port until Ctrl-C");
  serve->add_option("--dir", serve_options->dir, "Folder made by `eligibility init`")->required();
  serve->add_option("--fixture", serve_options->fixture, "Fixture file (default: DIR/fixture.json)");
  serve->add_option("--host", serve_options->host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", serve_options->port, "Port (0: any free port, printed)")->capture_default_str();
  serve->add_option("--today", serve_options->today, "The service's date in Japan (YYYY-MM-DD); time of day stays real");
  serve->add_option("--db", serve_options->database, "SQLite database (default: DIR/eligibility.sqlite3; \":memory:\")");
  serve->add_flag("--quiet", serve_options->quiet, "No line per request");
  serve->add_option("--delay-ms", serve_options->delay_ms, "Delay every answer (slow-line test)")->capture_default_str();
  serve->add_option("--fault", serve_options->fault,
                    "none | malformed-json | wrong-content-type | wrong-version | internal-error | unavailable")
      ->capture_default_str();
  serve->callback([serve_options] { run_serve(*serve_options); });

  auto audit_dir = std::make_shared<std::string>();
  auto audit_count = std::make_shared<std::size_t>(20);
  auto* audit = eligibility->add_subcommand("audit", "Print the last entries of the service's audit table");
  audit->add_option("--dir", *audit_dir, "Folder made by `eligibility init`")->required();
  audit->add_option("--last", *audit_count, "How many entries")->capture_default_str();
  audit->callback([audit_dir, audit_count] {
    elig::EligibilityDatabase db((fs::path(*audit_dir) / "eligibility.sqlite3").string());
    for (const auto& e : db.audit_tail(*audit_count)) {
      std::cout << hal::calendar::format_iso8601_utc(e.at) << " " << e.operation << " " << e.method << " " << e.outcome << " "
                << e.code << " terminal=\"" << e.terminal << "\" person=" << e.person << " card=" << e.card_sha256.substr(0, 16)
                << " " << e.detail << "\n";
    }
  });
}

}  // namespace kiosk::firmware::kiosk_sim
