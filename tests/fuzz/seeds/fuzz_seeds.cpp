// Seed corpora of the libFuzzer targets (tests/fuzz), made from the project's test material in
// the build directory (nothing binary is committed):
//   fuzz_seeds OUT_DIR
// writes OUT_DIR/<target>/<seed> for every target, and OUT_DIR/card.json (the card the vpcd
// target serves). A simulated JPKI CA issues a test card with the real card factory; its
// answers to the kiosk's APDUs, its certificates, CRLs, card-face record and photo, its card
// file and vpcd frames of a PIN reception are the seeds; service answers come from the protocol
// codec's own encoder; scenario and configuration seeds are the repository's files (copied by
// toolchain/fuzz-briefly).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "core/card/card_face_application.hpp"
#include "core/card/card_session.hpp"
#include "core/card/jpki_application.hpp"
#include "core/crypto/digest.hpp"
#include "core/eligibility/codec.hpp"
#include "hal/calendar.hpp"
#include "hal/files.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/card/card_factory.hpp"
#include "sim/card/jpki_card.hpp"

using namespace kiosk;
namespace fs = std::filesystem;
namespace elig = kiosk::core::eligibility;

namespace {

fs::path g_out;

void seed(const std::string& target, const std::string& name, std::string_view bytes) {
  fs::create_directories(g_out / target);
  hal::write_file_atomically(g_out / target / name, bytes, 0644);
}
void seed(const std::string& target, const std::string& name, ByteView bytes) {
  seed(target, name, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}
std::string with_selector(char selector, std::string_view body) { return std::string(1, selector) + std::string(body); }

// A channel to the emulated card that records every response in fuzz_card_responses' format
// (2-byte big-endian length, then the response).
class Recorder final : public hal::CardChannel {
 public:
  explicit Recorder(sim::card::JpkiCard& card) : card_(card) {}
  Bytes transmit(ByteView command) override {
    const Bytes r = card_.process_apdu(command);
    stream_.push_back(static_cast<Byte>(r.size() >> 8));
    stream_.push_back(static_cast<Byte>(r.size() & 0xFF));
    stream_.insert(stream_.end(), r.begin(), r.end());
    Bytes frame{static_cast<Byte>(command.size() >> 8), static_cast<Byte>(command.size() & 0xFF)};
    frame.insert(frame.end(), command.begin(), command.end());
    frames_.insert(frames_.end(), frame.begin(), frame.end());
    return r;
  }
  Bytes atr() const override { return card_.atr(); }
  void reset() override { card_.reset(); }
  const std::string& reader_name() const override { return name_; }
  std::unique_ptr<hal::CardHold> hold() override { return std::make_unique<hal::CardHold>(); }
  const Bytes& responses() const { return stream_; }
  const Bytes& vpcd_frames() const { return frames_; }

 private:
  sim::card::JpkiCard& card_;
  Bytes stream_;
  Bytes frames_;
  std::string name_ = "seed recorder";
};

elig::Confirmation sample_confirmation(elig::Timestamp now) {
  const auto day = *hal::calendar::parse_iso_date("2025-12-02");
  elig::Qualification q;
  q.insured_card_classification = "01";
  q.insurer_number = "01130012";
  q.insured_card_symbol = "12345678";
  q.insured_identification_number = "1001";
  q.insured_branch_number = "00";
  q.personal_family = elig::PersonalFamily::Insured;
  q.name = "番号　太郎";
  q.name_kana = "ﾊﾞﾝｺﾞｳ ﾀﾛｳ";
  q.sex1 = elig::Sex::Male;
  q.birthdate = *hal::calendar::parse_iso_date("1980-02-17");
  q.address = "東京都千代田区霞が関１－２－２";
  q.post_number = "100-8916";
  q.qualification_date = *hal::calendar::parse_iso_date("2020-04-01");
  q.insured_card_expiration_date = *hal::calendar::parse_iso_date("2027-03-31");
  q.insured_partial_contribution_ratio = "030";
  q.insurer_name = "全国健康保険協会東京支部";
  q.limit_application_consent = {elig::ConsentFlag::Given, now, std::nullopt};
  elig::Confirmation c;
  c.confirmation_id = "c-0123456789abcdef";
  c.method = elig::ConfirmationMethod::Pin;
  elig::OqsResult r;
  r.header.process_execution_time = now;
  r.header.qualification_confirmation_date = day;
  r.header.medical_institution_code = "1312345678";
  r.header.reference_classification = elig::ReferenceClassification::MyNumberCard;
  r.header.arbitrary_file_identifier = "seed01";
  r.body.processing_result_status = elig::ProcessingResultStatus::Normal;
  r.body.qualification_validity = elig::QualificationValidity::Valid;
  r.body.results = {q};
  c.result = r;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds OUT_DIR\n";
    return 2;
  }
  g_out = argv[1];
  fs::create_directories(g_out);
  const auto now = std::chrono::system_clock::now();
  const auto now_seconds = std::chrono::floor<std::chrono::seconds>(now);
  const fs::path ca_dir = g_out / "ca";
  fs::remove_all(ca_dir);
  sim::ca::SimulatedJpkiCa ca = sim::ca::SimulatedJpkiCa::create(ca_dir, now);
  sim::card::CardOrder order;
  order.holder_name = "番号\u3000太郎";
  order.birth_date = "19800217";
  order.sex = '1';
  order.address = "東京都千代田区霞が関１－２－２";
  order.security_code = "2285";
  const sim::card::CardProfile profile = sim::card::issue_card(ca, order);
  profile.save(g_out / "card.json");

  // Card files.
  {
    std::ifstream in(g_out / "card.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    seed("fuzz_card_file", "taro.card.json", text);
  }
  auto smartphone = order;
  smartphone.token = sim::card::TokenType::AndroidSmartphone;
  smartphone.sign_password.reset();
  sim::card::issue_card(ca, smartphone).save(g_out / "fuzz_card_file" / "android.card.json");

  // Certificates, CRLs, TLV.
  seed("fuzz_x509_crl", "auth-cert", with_selector('\0', std::string_view(reinterpret_cast<const char*>(profile.auth.certificate.data()),
                                                                          profile.auth.certificate.size())));
  seed("fuzz_x509_crl", "auth-ca", with_selector('\0', std::string_view(reinterpret_cast<const char*>(profile.auth.ca_certificate.data()),
                                                                        profile.auth.ca_certificate.size())));
  for (const auto kind : {sim::ca::CaKind::UserAuthentication, sim::ca::CaKind::DigitalSignature}) {
    const Bytes crl = ca.crl_der(kind, now);
    seed("fuzz_x509_crl", std::string("crl-").append(sim::ca::to_string(kind)),
         with_selector('\2', std::string_view(reinterpret_cast<const char*>(crl.data()), crl.size())));
  }
  seed("fuzz_tlv", "auth-cert", profile.auth.certificate);

  // A PIN reception and a face read against the emulator: the responses, the record, vpcd frames.
  sim::card::JpkiCard card(profile);
  card.power_on();
  Recorder recorder(card);
  {
    core::card::CardSession session(recorder);
    core::card::JpkiApplication jpki(session);
    jpki.select();
    (void)jpki.read_token_info();
    (void)jpki.read_auth_certificate();
    (void)jpki.auth_pin_status();
    (void)jpki.verify_auth_pin(core::card::Secret("1234"));
    (void)jpki.sign_with_auth_key(core::crypto::sha256_digest_info(core::crypto::sha256(Bytes{1, 2, 3})));
  }
  seed("fuzz_card_responses", "jpki-pin-reception", recorder.responses());
  Bytes frames{0x00, 0x01, 0x01, 0x00, 0x01, 0x04};  // power on, get ATR
  frames.insert(frames.end(), recorder.vpcd_frames().begin(), recorder.vpcd_frames().end());
  seed("fuzz_vpcd_frames", "pin-reception", frames);

  Recorder face_recorder(card);
  {
    core::card::CardSession session(face_recorder);
    core::card::CardFaceApplication face(session);
    face.select();
    (void)face.code_b_status();
    (void)face.verify_code_b(core::card::Secret(*profile.code_b.value));
    (void)face.read_card_face();
  }
  seed("fuzz_card_responses", "card-face", face_recorder.responses());
  seed("fuzz_vpcd_frames", "card-face", face_recorder.vpcd_frames());
  // The record itself: the last response of the face read, without its status word.
  {
    const Bytes& s = face_recorder.responses();
    std::size_t at = 0;
    Bytes last;
    while (at + 2 <= s.size()) {
      const std::size_t n = (std::size_t{s[at]} << 8) | s[at + 1];
      last.assign(s.begin() + static_cast<std::ptrdiff_t>(at + 2), s.begin() + static_cast<std::ptrdiff_t>(at + 2 + n));
      at += 2 + n;
    }
    if (last.size() > 2) last.resize(last.size() - 2);
    seed("fuzz_card_face", "record", last);
    seed("fuzz_tlv", "card-face-record", last);
  }
  seed("fuzz_card_face", "photo.jp2", profile.face_photo_jp2);

  // Service answers, from the codec's own encoder and the protocol's error and health bodies.
  const std::string confirmation = elig::codec::encode_confirmation(sample_confirmation(now_seconds));
  seed("fuzz_service_answers", "confirmation", with_selector('\0', confirmation));
  seed("fuzz_result_xml", "confirmation", confirmation);
  seed("fuzz_service_answers", "challenge",
       with_selector('\1', R"({"api_version":1,"nonce":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","expires_at":"2025-12-02T00:33:15Z"})"));
  seed("fuzz_service_answers", "health", with_selector('\2', R"({"api_version":1,"status":"ok","service":"eligibility/1","time":"2025-12-02T00:33:15Z"})"));
  seed("fuzz_service_answers", "error",
       with_selector('\3', R"({"api_version":1,"error":{"code":"NONCE_REPLAYED","message":"使用済みです","retryable":false,"detail":"used"}})"));
  seed("fuzz_service_answers", "date", with_selector('\4', "20251202"));
  seed("fuzz_service_answers", "jst", with_selector('\5', "20251202093015"));
  seed("fuzz_service_answers", "utc", with_selector('\6', "2025-12-02T00:30:15Z"));

  // The kiosk screen's bodies (firmware/screen/web_frontend.hpp).
  int n = 0;
  for (const char* body : {R"({"type":"method","value":"pin"})", R"({"type":"pin","value":"1234"})", R"({"type":"answer","value":true})",
                           R"({"type":"prescription","value":"electronic"})", R"({"type":"acknowledge"})", R"({"type":"cancel"})",
                           R"({"enabled":true})"}) {
    ++n;
    seed("fuzz_screen_input", "body" + std::to_string(n - 1), with_selector(static_cast<char>(0x11 + 4 * n), body));
  }
  std::cout << "fuzz_seeds: seeds in " << g_out.string() << "\n";
  return 0;
}
