#include "sim/card/jpki_card.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "sim/ca/ber_tlv.hpp"
#include "sim/ca/rsa_key.hpp"
#include "sim/card/card_face_record.hpp"

namespace kiosk::sim::card {
namespace {

using ca::append;

namespace jpki = hal::mynumber::jpki;
namespace card_face = hal::mynumber::card_face;

constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kWrongLength = 0x6700;
constexpr std::uint16_t kChannelNotSupported = 0x6881;
constexpr std::uint16_t kSecureMessagingNotSupported = 0x6882;
constexpr std::uint16_t kSmDataObjectsMissing = 0x69FC;
constexpr std::uint16_t kCommandIncompatible = 0x6981;
constexpr std::uint16_t kSecurityStatusNotSatisfied = 0x6982;
constexpr std::uint16_t kReferenceDataNotUsable = 0x6984;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kNoCurrentEf = 0x6986;
constexpr std::uint16_t kFileNotFound = 0x6A82;
constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
constexpr std::uint16_t kReferencedDataNotFound = 0x6A88;
constexpr std::uint16_t kWrongP1P2 = 0x6B00;
constexpr std::uint16_t kInsNotSupported = 0x6D00;
constexpr std::uint16_t kClaNotSupported = 0x6E00;
constexpr std::uint16_t kMemoryFailure = 0x6581;
constexpr std::uint16_t kNoDiagnosis = 0x6F00;

const Bytes kSha256DigestInfoPrefix{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48,
                                    0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

Bytes ascii(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes padded(Bytes content, std::size_t padding) {
  content.insert(content.end(), padding, 0xFF);
  return content;
}

Bytes sha256(ByteView data) {
  Bytes out(32);
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256");
  return out;
}

// The space-padded PKCS#11-style token information of EF 0006 (160 bytes).
Bytes token_info(TokenType token) {
  auto field = [](const std::string& s, std::size_t n) {
    Bytes b(n, ' ');
    std::copy_n(s.begin(), std::min(n, s.size()), b.begin());
    return b;
  };
  const char* label = token == TokenType::Card                ? jpki::kLabelMyNumberCard
                      : token == TokenType::AndroidSmartphone ? jpki::kLabelAndroid
                                                              : jpki::kLabelIphone;
  Bytes out = field(label, 32);
  append(out, field("J-LIS (kiosk simulator)", 32));
  append(out, field("JPKI-SIM", 16));
  append(out, field("0000000000000000", 16));
  out.resize(160, 0x00);
  return out;
}

// A white image with the digits in black, as PNG: stands for the printed My Number image.
Bytes digits_png(const std::string& digits) {
  cv::Mat image(48, 24 * static_cast<int>(digits.size()) + 16, CV_8UC1, cv::Scalar(255));
  cv::putText(image, digits, cv::Point(8, 36), cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(0), 2);
  std::vector<uchar> png;
  cv::imencode(".png", image, png);
  return Bytes(png.begin(), png.end());
}

}  // namespace

JpkiCard::JpkiCard(CardProfile profile, std::optional<std::filesystem::path> file)
    : profile_(std::move(profile)), file_(std::move(file)) {
  auth_key_ = std::make_unique<sim::ca::RsaKey>(sim::ca::RsaKey::from_pem(profile_.auth.private_key_pem));
  if (profile_.sign) sign_key_ = std::make_unique<sim::ca::RsaKey>(sim::ca::RsaKey::from_pem(profile_.sign->private_key_pem));
  if (profile_.card_face) card_face_key_ = std::make_unique<sim::ca::RsaKey>(sim::ca::RsaKey::from_pem(profile_.card_face->private_key_pem));
  birth_key_ = PinSlot{japanese_era_date(profile_.birth_date), 10, 10};
  code_a_face_ = PinSlot{profile_.my_number, 10, 10};
  code_a_text_ = PinSlot{profile_.my_number, 10, 10};
  code_b_text_ = PinSlot{profile_.code_b.value, profile_.code_b.max_tries, profile_.code_b.max_tries};
  build_files();
}

JpkiCard::~JpkiCard() = default;

std::unique_ptr<JpkiCard> JpkiCard::load(const std::filesystem::path& file) {
  return std::make_unique<JpkiCard>(CardProfile::load(file), file);
}

void JpkiCard::build_files() {
  const std::size_t pad = profile_.file_padding;
  auto& j = files_[App::Jpki];
  j[jpki::kTokenInfo] = {token_info(profile_.token), {}};
  j[jpki::kAuthCertificate] = {padded(profile_.auth.certificate, pad), {}};
  j[jpki::kAuthCaCertificate] = {padded(profile_.auth.ca_certificate, pad), {}};
  j[jpki::kCertificatePresence] = {Bytes{static_cast<Byte>(profile_.sign ? 0x8F : 0x00), 0x8F, 0x00}, {}};
  keys_[App::Jpki][jpki::kAuthPin] = Key{&profile_.auth.pin, nullptr, 0};
  keys_[App::Jpki][jpki::kAuthKey] = Key{nullptr, auth_key_.get(), jpki::kAuthPin};
  if (profile_.sign) {
    j[jpki::kSignCertificate] = {padded(profile_.sign->certificate, pad), {jpki::kSignPin}};
    j[jpki::kSignCaCertificate] = {padded(profile_.sign->ca_certificate, pad), {}};
    keys_[App::Jpki][jpki::kSignPin] = Key{&profile_.sign->pin, nullptr, 0};
    keys_[App::Jpki][jpki::kSignKey] = Key{nullptr, sign_key_.get(), jpki::kSignPin};
  }
  if (profile_.token != TokenType::Card) return;  // smartphones carry the JPKI AP only
  // A next-generation card (simulator's assumption): the 券面等AP answers SELECT, but nothing in it
  // is known, so it holds no file the kiosk could read; today's 券面 APs are absent.
  if (profile_.generation == CardGeneration::Next) {
    files_[App::NextCardFace];
    return;
  }

  // 券面事項確認AP
  const Bytes birth = ascii(profile_.birth_date);
  auto& f = files_[App::CardFace];
  f[card_face::kCardFace] = {padded(card_face_record(profile_), pad), {card_face::kCodeB, card_face::kCodeA}};
  if (profile_.card_face) {
    f[card_face::kCertificate] = {padded(profile_.card_face->certificate, pad), {}};
  }
  f[0x0001] = {private_tlv(true, 0x10, private_tlv(false, 0x11, birth)), {card_face::kBirthDateKey}};
  f[card_face::kMyNumberImage] = {private_tlv(true, 0x40, private_tlv(false, 0x41, digits_png(profile_.my_number))), {card_face::kCodeA}};
  keys_[App::CardFace][card_face::kCodeB] = Key{&profile_.code_b, nullptr, 0};
  keys_[App::CardFace][card_face::kCodeA] = Key{&code_a_face_, nullptr, 0};
  keys_[App::CardFace][card_face::kBirthDateKey] = Key{&birth_key_, nullptr, 0};

  // 券面事項入力補助AP: the My Number and the 基本4情報.
  auto& t = files_[App::Text];
  Bytes number{0xFF, 0x10, 0x0C};
  append(number, ascii(profile_.my_number));
  append(number, Bytes{0xFF, 0xFF});
  t[hal::mynumber::text::kMyNumber] = {number, {hal::mynumber::text::kPin, 0x0014}};
  std::vector<Bytes> info_children{
      private_tlv(false, 0x22, ascii(profile_.holder_name)),
      private_tlv(false, 0x23, ascii(profile_.address)),
      private_tlv(false, 0x24, birth),
      private_tlv(false, 0x25, Bytes{static_cast<Byte>(profile_.sex)}),
  };
  t[hal::mynumber::text::kBasicFourInfo] = {record_with_offsets(0x20, 0x21, info_children), {hal::mynumber::text::kPin, 0x0015}};
  keys_[App::Text][hal::mynumber::text::kPin] = Key{&profile_.text_pin, nullptr, 0};
  keys_[App::Text][0x0014] = Key{&code_a_text_, nullptr, 0};
  keys_[App::Text][0x0015] = Key{&code_b_text_, nullptr, 0};
}

Bytes JpkiCard::atr() const {
  // A contactless reader's synthesised ATR for an ISO 14443 Type B card (PC/SC part 3):
  // 3B 88 80 01, then ATQB application data (4), protocol info (3), MBLI|CID (1), TCK.
  // Application data 00 00 00 00 would make the ATR an exact entry of OpenSC 0.23's MaskTech
  // table (card-masktech.c), which then claims the card; real JPKI cards do not match it.
  Bytes atr{0x3B, 0x88, 0x80, 0x01, 0x12, 0x34, 0x56, 0x78, 0x77, 0x81, 0x81, 0x00};
  Byte tck = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) tck = static_cast<Byte>(tck ^ atr[i]);
  atr.push_back(tck);
  return atr;
}

void JpkiCard::clear_volatile_state() {
  app_ = App::None;
  current_ef_.reset();
  verified_.clear();
}

void JpkiCard::power_on() {
  powered_ = true;
  clear_volatile_state();
}

void JpkiCard::power_off() {
  powered_ = false;
  clear_volatile_state();
}

void JpkiCard::reset() { clear_volatile_state(); }

std::size_t JpkiCard::select_attempts(const hal::mynumber::Aid& aid) const {
  const auto it = select_attempts_.find(aid);
  return it == select_attempts_.end() ? 0 : it->second;
}

void JpkiCard::persist() {
  if (file_) profile_.save(*file_);
}

Bytes JpkiCard::answer(Status sw) const { return Bytes{static_cast<Byte>(sw >> 8), static_cast<Byte>(sw & 0xFF)}; }

Bytes JpkiCard::answer(Bytes data, Status sw) const {
  data.push_back(static_cast<Byte>(sw >> 8));
  data.push_back(static_cast<Byte>(sw & 0xFF));
  return data;
}

const JpkiCard::File* JpkiCard::find_file(std::uint16_t fid) const {
  const auto app = files_.find(app_);
  if (app == files_.end()) return nullptr;
  const auto it = app->second.find(fid);
  return it == app->second.end() ? nullptr : &it->second;
}

JpkiCard::Key* JpkiCard::find_key(std::uint16_t fid) {
  const auto app = keys_.find(app_);
  if (app == keys_.end()) return nullptr;
  const auto it = app->second.find(fid);
  return it == app->second.end() ? nullptr : &it->second;
}

Bytes JpkiCard::process_apdu(ByteView command) {
  ++apdus_processed_;
  if (!powered_) return answer(kNoDiagnosis);
  const std::optional<ReceivedCommand> parsed = parse_received_command(command);
  if (!parsed) return answer(kWrongLength);
  const ReceivedCommand& c = *parsed;
  if ((c.cla & 0x03) != 0) return answer(kChannelNotSupported);
  if ((c.cla & 0x0C) != 0) return answer(c.ins == 0xA4 ? kSecureMessagingNotSupported : kSmDataObjectsMissing);
  if (c.cla != 0x00 && c.cla != 0x80) return answer(kClaNotSupported);
  if (c.extended && !profile_.extended_length) return answer(kWrongLength);
  try {
    if (c.cla == 0x00) {
      switch (c.ins) {
        case 0xA4: return select(c);
        case 0xB0: return read_binary(c);
        case 0x20: return verify(c);
        case 0x24: return change_reference_data(c);
        case 0x84: return get_challenge(c);
        case 0xCA: return get_data(c);
        default: return answer(kInsNotSupported);
      }
    }
    if (c.ins == 0x2A) return compute_signature(c);
    return answer(kInsNotSupported);
  } catch (const std::system_error&) {
    return answer(kMemoryFailure);  // the counter could not be written back
  } catch (const sim::ca::SignInputError&) {
    return answer(kWrongLength);    // data that does not fit the signature scheme
  }
}

Bytes JpkiCard::select(const ReceivedCommand& c) {
  if (c.p2 != 0x0C && c.p2 != 0x00) return answer(kIncorrectP1P2);
  switch (c.p1) {
    case 0x04: {  // by DF name
      hal::mynumber::Aid aid{};
      if (c.data.size() == aid.size()) {
        std::copy(c.data.begin(), c.data.end(), aid.begin());
        ++select_attempts_[aid];
      }
      App target = App::None;
      if (c.data.size() == aid.size()) {
        if (aid == hal::mynumber::kJpkiAid) target = App::Jpki;
        const bool current_card = profile_.token == TokenType::Card && profile_.generation == CardGeneration::Current;
        const bool next_card = profile_.token == TokenType::Card && profile_.generation == CardGeneration::Next;
        if (current_card && aid == hal::mynumber::kCardFaceAid) target = App::CardFace;
        if (current_card && aid == hal::mynumber::kTextAid) target = App::Text;
        if (next_card && aid == hal::mynumber::kNextGenerationCardFaceAid) target = App::NextCardFace;
      }
      if (target == App::None) return answer(kFileNotFound);
      clear_volatile_state();
      app_ = target;
      return answer(kOk);
    }
    case 0x00:  // MF: refused straight after reset, a no-op inside an application
      return answer(app_ == App::None ? kIncorrectP1P2 : kOk);
    case 0x02: {  // EF under the current DF
      if (c.data.size() != 2) return answer(kWrongLength);
      const auto fid = static_cast<std::uint16_t>((c.data[0] << 8) | c.data[1]);
      if (find_file(fid) == nullptr && find_key(fid) == nullptr) return answer(kFileNotFound);
      current_ef_ = fid;
      return answer(kOk);
    }
    default:
      return answer(kIncorrectP1P2);
  }
}

Bytes JpkiCard::read_binary(const ReceivedCommand& c) {
  std::size_t offset = 0;
  std::uint16_t fid = 0;
  if ((c.p1 & 0x80) != 0) {  // short EF identifier
    if (!profile_.short_ef_identifiers || (c.p1 & 0x60) != 0) return answer(kIncorrectP1P2);
    fid = c.p1 & 0x1F;
    if (find_file(fid) == nullptr && find_key(fid) == nullptr) return answer(kFileNotFound);
    current_ef_ = fid;
    offset = c.p2;
  } else {
    if (!current_ef_) return answer(kNoCurrentEf);
    fid = *current_ef_;
    offset = static_cast<std::size_t>(((c.p1 & 0x7F) << 8) | c.p2);
  }
  const File* file = find_file(fid);
  if (file == nullptr) return answer(kCommandIncompatible);  // a key EF: not readable
  if (!file->readable_after.empty() &&
      std::none_of(file->readable_after.begin(), file->readable_after.end(),
                   [this](std::uint16_t key) { return verified_.count(key) != 0; })) {
    return answer(kSecurityStatusNotSatisfied);
  }
  if (!c.has_le) return answer(kWrongLength);
  if (offset >= file->content.size()) return answer(kWrongP1P2);
  const std::size_t n = std::min(c.ne, file->content.size() - offset);
  const auto first = file->content.begin() + static_cast<std::ptrdiff_t>(offset);
  return answer(Bytes(first, first + static_cast<std::ptrdiff_t>(n)), kOk);
}

// P2 of VERIFY and COMPUTE DIGITAL SIGNATURE: 80 = the key EF selected before, 80|SFI = that EF.
JpkiCard::KeyReference JpkiCard::key_reference(Byte p2) const {
  if (p2 == 0x80) return current_ef_ ? KeyReference{*current_ef_, 0} : KeyReference{0, kNoCurrentEf};
  if ((p2 & 0xE0) == 0x80 && profile_.short_ef_identifiers) return KeyReference{static_cast<std::uint16_t>(p2 & 0x1F), 0};
  return KeyReference{0, kIncorrectP1P2};
}

Bytes JpkiCard::verify(const ReceivedCommand& c) {
  if (c.p1 != 0x00) return answer(kIncorrectP1P2);
  const KeyReference ref = key_reference(c.p2);
  if (ref.error != 0) return answer(ref.error);
  const std::uint16_t fid = ref.fid;
  Key* key = find_key(fid);
  if (key == nullptr) return answer(c.p2 == 0x80 ? kCommandIncompatible : kFileNotFound);
  if (key->slot == nullptr) return answer(kCommandIncompatible);  // a private key, not a PIN
  PinSlot& pin = *key->slot;
  if (!pin.value) return answer(kReferenceDataNotUsable);  // no PIN set on this card
  if (c.data.empty()) return answer(static_cast<Status>(0x63C0 | pin.tries_left));
  if (pin.tries_left == 0) return answer(kReferenceDataNotUsable);
  const bool match = c.data.size() == pin.value->size() && std::equal(c.data.begin(), c.data.end(), pin.value->begin());
  if (match) {
    if (pin.tries_left != pin.max_tries) {
      pin.tries_left = pin.max_tries;
      persist();
    }
    verified_.insert(fid);
    return answer(kOk);
  }
  pin.tries_left -= 1;
  verified_.erase(fid);
  persist();
  return answer(static_cast<Status>(0x63C0 | pin.tries_left));
}

Bytes JpkiCard::change_reference_data(const ReceivedCommand& c) {
  if (c.p1 != 0x01 || c.p2 != 0x80) return answer(kIncorrectP1P2);
  if (!current_ef_) return answer(kNoCurrentEf);
  Key* key = find_key(*current_ef_);
  if (key == nullptr || key->slot == nullptr || !key->slot->value) return answer(kCommandIncompatible);
  if (verified_.count(*current_ef_) == 0) return answer(kSecurityStatusNotSatisfied);
  if (c.data.empty() || c.data.size() > 16) return answer(kWrongLength);
  key->slot->value = std::string(c.data.begin(), c.data.end());
  persist();
  return answer(kOk);
}

Bytes JpkiCard::compute_signature(const ReceivedCommand& c) {
  if (app_ == App::CardFace) return card_face_signature(c);
  if (app_ != App::Jpki) return answer(kConditionsNotSatisfied);
  const KeyReference ref = key_reference(c.p2);
  if (ref.error != 0) return answer(ref.error);
  const std::uint16_t fid = ref.fid;
  if (c.p1 > 0x05) return answer(kIncorrectP1P2);
  const Key* key = find_key(fid);
  if (key == nullptr) return answer(kFileNotFound);
  if (key->rsa == nullptr) return answer(kCommandIncompatible);
  if (verified_.count(key->unlocked_by) == 0) return answer(kSecurityStatusNotSatisfied);
  if (c.data.empty()) return answer(kWrongLength);

  Bytes signature;
  const bool hash_given = c.p1 == 0x02 || c.p1 == 0x04;
  if (hash_given && c.data.size() != 32) return answer(kWrongLength);
  switch (c.p1) {
    case 0x00:  // PKCS#1 v1.5 over the DigestInfo as given
      if (c.data.size() > 245) return answer(kWrongLength);
      signature = key->rsa->sign_pkcs1_raw(c.data);
      break;
    case 0x01:  // SHA-256 on card, bare hash
      signature = key->rsa->sign_pkcs1_raw(sha256(c.data));
      break;
    case 0x02:
    case 0x03: {  // DigestInfo around a given hash / a hash made on card
      Bytes digest_info = kSha256DigestInfoPrefix;
      append(digest_info, c.p1 == 0x02 ? Bytes(c.data.begin(), c.data.end()) : sha256(c.data));
      signature = key->rsa->sign_pkcs1_raw(digest_info);
      break;
    }
    default:  // 04: PSS over a given hash, 05: SHA-256 on card + PSS
      signature = key->rsa->sign_pss_sha256(c.p1 == 0x04 ? Bytes(c.data.begin(), c.data.end()) : sha256(c.data));
      break;
  }
  return answer(std::move(signature), kOk);
}

// The 券面AP's own key (soltia48/myna-card ap/surface.rs `sign`): P2 00 names the application's
// default key; no PIN or 照合番号 is needed; PKCS#1 v1.5 over the DigestInfo as given (P1 00 only).
Bytes JpkiCard::card_face_signature(const ReceivedCommand& c) {
  if (c.p2 != 0x00) return answer(kIncorrectP1P2);
  if (c.p1 != 0x00) return answer(kIncorrectP1P2);
  if (!card_face_key_) return answer(kConditionsNotSatisfied);  // a card file made without one
  if (c.data.empty() || c.data.size() > 245) return answer(kWrongLength);
  return answer(card_face_key_->sign_pkcs1_raw(c.data), kOk);
}

Bytes JpkiCard::get_challenge(const ReceivedCommand& c) {
  if (c.p1 != 0x00 || c.p2 != 0x00) return answer(kIncorrectP1P2);
  if (c.extended) return answer(kConditionsNotSatisfied);
  if (!c.has_le) return answer(kWrongLength);
  Bytes random(c.ne);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) return answer(kNoDiagnosis);
  return answer(std::move(random), kOk);
}

Bytes JpkiCard::get_data(const ReceivedCommand& c) {
  if (app_ == App::None) return answer(kInsNotSupported);
  if (c.p1 == 0x5F && c.p2 == 0x51) {  // the contact ATR, without TS
    return answer(Bytes(hal::mynumber::kContactAtr.begin() + 1, hal::mynumber::kContactAtr.end()), kOk);
  }
  return answer(kReferencedDataNotFound);
}

}  // namespace kiosk::sim::card
