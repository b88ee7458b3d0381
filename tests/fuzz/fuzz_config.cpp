// libFuzzer target: the kiosk's configuration loader (firmware/kiosk/config.cpp) on any file,
// and the support bundle's redacted copy of what it read. Every problem must come back as an
// error line; nothing may throw or crash.
#include <cstddef>
#include <cstdint>

#include "firmware/kiosk/config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kiosk::fuzz::MemoryFile file("kiosk-config");
  const auto loaded = kiosk::firmware::kiosk::load_config(file.write(data, size));
  const nlohmann::json shown = kiosk::firmware::kiosk::redacted(loaded.raw);
  (void)shown.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (loaded.errors.empty()) {
    const auto& c = loaded.config;
    // A configuration without errors is within its bounds.
    if (c.eligibility_port < 1 || c.eligibility_port > 65535 || c.journal_retention_days < 1 ||
        c.journal_retention_days > kiosk::firmware::kiosk::kMaxRetentionDays || c.staff.max_failures < 1) {
      __builtin_trap();
    }
  }
  return 0;
}
