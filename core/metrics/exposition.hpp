// The kiosk's health as Prometheus metrics (text exposition format 0.0.4), for a fleet's
// existing tools: the node exporter's textfile collector reads the file the kiosk writes
// (drivers/system/textfile_writer.hpp), or a scraper reads the same text on loopback.
//
// Device-free: made from the journal's records and from the device status a diagnostics run
// measured. Families (all gauges, every value a plain number):
//   kiosk_info{terminal,version} 1
//   kiosk_card_service_up, kiosk_reader_present, kiosk_camera_ok,
//   kiosk_eligibility_service_reachable             1 / 0 (absent when not measured)
//   kiosk_health_checked_timestamp_seconds          when they were measured
//   kiosk_receptions_last_hour{method,outcome}      receptions that ended in the last hour
//                                                   (method pin|face|visual|none; outcome
//                                                   completed|not_completed)
//   kiosk_reception_failures_last_hour{code}        failed steps by message code (K110, 006, ...)
//   kiosk_metrics_timestamp_seconds                 when the text was made
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics/report.hpp"
#include "core/journal/journal.hpp"

namespace kiosk::core::metrics {

// What the devices and the service looked like at the last check; nullopt: not measured (a
// check skipped, or none run yet): the metric is left out rather than reported as failing.
struct DeviceHealth {
  std::optional<bool> card_service_up;    // pcscd answers
  std::optional<bool> reader_present;     // the configured reader (or any reader) is there
  std::optional<bool> camera_ok;          // the camera opens and delivers frames
  std::optional<bool> service_reachable;  // the eligibility service accepts a connection
  std::optional<std::chrono::system_clock::time_point> checked_at;
};

// The device health a diagnostics report measured (`kiosk diag`, the staff page's
// collect_report()): pcsc "card service (pcscd)", "configured reader" (else "readers"), every
// check of the area "camera", service "reachability". A FAIL is 0, PASS or WARN is 1, SKIP or
// missing leaves it unmeasured.
DeviceHealth health_from_report(const core::diagnostics::Report& report,
                                std::optional<std::chrono::system_clock::time_point> checked_at = std::nullopt);

struct Inputs {
  std::string terminal_id;
  std::string version;
  DeviceHealth health;
  // Journal records covering at least the last hour (Journal::since(now - 1h)); older ones and
  // staff or system entries are not counted.
  std::vector<core::journal::Record> records;
  std::chrono::system_clock::time_point now;
};

// The journal events that are steps inside a reception rather than its end (a wrong PIN, a
// locked PIN, a failed face match): counted as failures by code, not as receptions.
bool is_step_event(std::string_view event);

// The exposition text, families in a fixed order, series sorted by labels, ending in "\n".
std::string format_exposition(const Inputs& inputs);

// A label value as the format wants it: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);

}  // namespace kiosk::core::metrics
