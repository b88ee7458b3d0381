#include "core/metrics/exposition.hpp"

#include <array>
#include <map>
#include <sstream>
#include <utility>

namespace kiosk::core::metrics {
namespace {

using core::diagnostics::Status;

std::optional<bool> measured(Status s) {
  switch (s) {
    case Status::Pass:
    case Status::Warn: return true;
    case Status::Fail: return false;
    case Status::Skip: return std::nullopt;
  }
  return std::nullopt;
}

const core::diagnostics::CheckResult* find(const core::diagnostics::Report& report, std::string_view area, std::string_view name) {
  for (const auto& c : report.checks()) {
    if (c.area == area && c.name == name) return &c;
  }
  return nullptr;
}

std::optional<bool> check(const core::diagnostics::Report& report, std::string_view area, std::string_view name) {
  const auto* c = find(report, area, name);
  return c != nullptr ? measured(c->status) : std::nullopt;
}

long long seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

class Writer {
 public:
  void family(std::string_view name, std::string_view help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n";
  }
  template <typename Value>
  void sample(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels, Value value) {
    out_ << name;
    if (!labels.empty()) {
      out_ << '{';
      bool first = true;
      for (const auto& [key, v] : labels) {
        out_ << (first ? "" : ",") << key << "=\"" << escape_label_value(v) << '"';
        first = false;
      }
      out_ << '}';
    }
    out_ << ' ' << value << '\n';
  }
  void flag(std::string_view name, std::string_view help, std::optional<bool> value) {
    if (!value) return;
    family(name, help);
    sample(name, {}, *value ? 1 : 0);
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string method_label(const std::string& method) { return method.empty() ? "none" : method; }

}  // namespace

DeviceHealth health_from_report(const core::diagnostics::Report& report,
                                std::optional<std::chrono::system_clock::time_point> checked_at) {
  DeviceHealth h;
  h.card_service_up = check(report, "pcsc", "card service (pcscd)");
  h.reader_present = find(report, "pcsc", "configured reader") != nullptr ? check(report, "pcsc", "configured reader")
                                                                          : check(report, "pcsc", "readers");
  for (const auto& c : report.checks()) {
    if (c.area != "camera") continue;
    const auto m = measured(c.status);
    if (!m) continue;
    h.camera_ok = h.camera_ok.value_or(true) && *m;
  }
  h.service_reachable = check(report, "service", "reachability");
  h.checked_at = checked_at;
  return h;
}

bool is_step_event(std::string_view event) {
  static constexpr std::array<std::string_view, 3> steps{"pin-wrong", "pin-locked", "face-failed"};
  for (const auto s : steps) {
    if (s == event) return true;
  }
  return false;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_exposition(const Inputs& in) {
  Writer w;
  w.family("kiosk_info", "The kiosk's terminal id and firmware version (always 1).");
  w.sample("kiosk_info", {{"terminal", in.terminal_id}, {"version", in.version}}, 1);

  const DeviceHealth& h = in.health;
  w.flag("kiosk_card_service_up", "1 when the PC/SC card service (pcscd) answered at the last check.", h.card_service_up);
  w.flag("kiosk_reader_present", "1 when the card reader was present at the last check.", h.reader_present);
  w.flag("kiosk_camera_ok", "1 when the camera opened and delivered usable frames at the last check.", h.camera_ok);
  w.flag("kiosk_eligibility_service_reachable", "1 when the eligibility service accepted a connection at the last check.",
         h.service_reachable);
  if (h.checked_at) {
    w.family("kiosk_health_checked_timestamp_seconds", "When the device health above was measured (Unix time).");
    w.sample("kiosk_health_checked_timestamp_seconds", {}, seconds_since_epoch(*h.checked_at));
  }

  // Receptions and failures in the last hour, from the journal.
  const auto since = in.now - std::chrono::hours(1);
  std::map<std::pair<std::string, std::string>, long long> receptions;
  for (const char* m : {"face", "pin", "visual"}) {
    receptions[{m, "completed"}] = 0;
    receptions[{m, "not_completed"}] = 0;
  }
  std::map<std::string, long long> failures;
  for (const auto& r : in.records) {
    if (r.kind != "reception" || r.at < since || r.at > in.now) continue;
    const bool completed = r.event == "reception-completed";
    if (!completed && !r.message_code.empty()) ++failures[r.message_code];
    if (is_step_event(r.event)) continue;
    ++receptions[{method_label(r.method), completed ? "completed" : "not_completed"}];
  }
  w.family("kiosk_receptions_last_hour", "Receptions that ended in the last hour, by authentication method and outcome.");
  for (const auto& [key, n] : receptions) {
    w.sample("kiosk_receptions_last_hour", {{"method", key.first}, {"outcome", key.second}}, n);
  }
  w.family("kiosk_reception_failures_last_hour",
           "Failed reception steps in the last hour by the message code the patient saw (K110 wrong PIN, 006 expired "
           "certificate, ...).");
  for (const auto& [code, n] : failures) w.sample("kiosk_reception_failures_last_hour", {{"code", code}}, n);

  w.family("kiosk_metrics_timestamp_seconds", "When these metrics were made (Unix time).");
  w.sample("kiosk_metrics_timestamp_seconds", {}, seconds_since_epoch(in.now));
  return w.text();
}

}  // namespace kiosk::core::metrics
