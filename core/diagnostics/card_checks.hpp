// PC/SC and test-card checks: the card service answers, readers are there, and with a test
// card on the reader: ATR, JPKI AP, certificate and its expiry, PIN tries left — read without
// spending a try (the empty VERIFY), never a VERIFY with data.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/crypto/trust_store.hpp"
#include "core/crypto/validation.hpp"
#include "core/diagnostics/report.hpp"
#include "hal/card_reader.hpp"

namespace kiosk::core::diagnostics {

struct CardCheckSettings {
  hal::ReaderPolicy readers;  // the readers the kiosk accepts (card_reader.reader / accepted_models)
  core::crypto::ValidationPolicy policy{3, 3, false};
  // The reception owns the reader (the running kiosk's staff page): the card on it belongs to a
  // patient, so nothing is sent to it; the reader checks still run.
  bool reader_in_use = false;
};

std::vector<CheckResult> check_card_reader(hal::CardReaderService& readers, const core::crypto::TrustStore& trust,
                                           std::chrono::system_clock::time_point now, const CardCheckSettings& settings);

}  // namespace kiosk::core::diagnostics
