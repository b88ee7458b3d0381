// A simulated eligibility world for the integration tests: the service's PKI in a temporary
// folder, a fixture with people holding simulated cards from the test CA (plus any extra
// people), the service on an ephemeral loopback port with a clock the test can move, and the
// kiosk's HTTPS transport to it.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/card/card_face_application.hpp"
#include "core/card/card_session.hpp"
#include "core/card/jpki_application.hpp"
#include "core/genuine_card/card_face_check.hpp"
#include "core/eligibility/client.hpp"
#include "drivers/https/https_client_transport.hpp"
#include "hal/clock.hpp"
#include "sim/card/card_profile.hpp"
#include "sim/card/simulated_readers.hpp"
#include "sim/eligibility/service.hpp"
#include "tests/support/test_cards.hpp"

namespace kiosk::test::it {

struct Holder {
  std::string id;
  sim::card::CardProfile card;
  bool registered = true;
  bool linkage_under_review = false;
};

class World {
 public:
  // `tweaks.card_face_anchors`: unset, the test CA's J-LIS anchor; an empty path, no anchor.
  explicit World(std::vector<Holder> holders, std::vector<nlohmann::json> extra_people = {},
                 sim::eligibility::ServiceOptions tweaks = {});
  ~World();

  sim::eligibility::SimulatedEligibilityService& service() { return *service_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const sim::eligibility::ServiceDirectory& pki() const { return pki_; }

  // The kiosk's transport: this terminal's certificate, the service CA pinned.
  drivers::https::HttpsTransportConfig transport_config() const;
  std::unique_ptr<drivers::https::HttpsClientTransport> transport() const;

  // Moves the service's clock (nonce expiry, dates).
  void shift_clock(std::chrono::seconds by) { shift_->fetch_add(by.count()); }

 private:
  TempDir dir_;
  sim::eligibility::ServiceDirectory pki_;
  std::shared_ptr<std::atomic<long long>> shift_ = std::make_shared<std::atomic<long long>>(0);
  std::unique_ptr<sim::eligibility::SimulatedEligibilityService> service_;
};

// A simulated card on a simulated reader with its PIN verified: it signs what it is asked to,
// as the kiosk's card layer makes it (COMPUTE DIGITAL SIGNATURE of DigestInfo(SHA-256(nonce))).
class CardAtReader {
 public:
  explicit CardAtReader(const sim::card::CardProfile& profile, std::string_view pin = "1234");
  ~CardAtReader();
  const Bytes& certificate() const { return certificate_; }
  Bytes sign(ByteView nonce);
  core::eligibility::EligibilityClient::CardSigner signer() {
    return [this](ByteView nonce) { return sign(nonce); };
  }

 private:
  sim::card::SimulatedReaders readers_;
  std::unique_ptr<hal::CardChannel> channel_;
  std::unique_ptr<core::card::CardSession> session_;
  std::unique_ptr<core::card::JpkiApplication> jpki_;
  Bytes certificate_;
};

// The card face of a simulated card, opened as the kiosk opens it (照合番号B from the card's
// profile): `checked` runs the kiosk's own genuine-card checks (core/genuine_card, anchors of the
// test CA) and throws CardFaceRefused like the kiosk; unchecked reads the record and EF 0004 and
// has the card sign without judging anything, as an altered kiosk would: the service must then
// refuse on its own.
class CardFaceAtReader {
 public:
  CardFaceAtReader(const sim::card::CardProfile& profile, bool checked);
  ~CardFaceAtReader();
  const Bytes& certificate() const { return certificate_; }
  // The terminal's face-match evidence against this card's photo.
  core::eligibility::FaceMatchEvidence face_match(double score = 0.81) const;
  core::eligibility::EligibilityClient::CardFaceProver prover();
  // Unchecked cards only: what the proof carries, to alter in tests.
  core::eligibility::CardFaceProof prove(ByteView nonce);

 private:
  sim::card::SimulatedReaders readers_;
  std::unique_ptr<hal::CardChannel> channel_;
  std::unique_ptr<core::card::CardSession> session_;
  Bytes certificate_;
  std::unique_ptr<core::genuine_card::CardFaceEvidence> evidence_;
  bool checked_;
};

// The kiosk side's clock.
class RealClock final : public hal::Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point monotonic() const override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds d) override;
};

// Short time-outs and back-off for tests.
core::eligibility::ClientOptions quick_options();

// A fixture person with one valid qualification (協会けんぽ, the given number).
nlohmann::json person(const std::string& id, const std::string& birth_date, const std::string& number);

// The error an expression throws (fails the test when it throws nothing or something else).
template <typename F>
core::eligibility::EligibilityError error_of(F f) {
  try {
    f();
  } catch (const core::eligibility::EligibilityError& e) {
    return e;
  }
  throw std::runtime_error("expected an EligibilityError");
}

}  // namespace kiosk::test::it
