#include "sim/card/card_file_check.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "hal/calendar.hpp"
#include "hal/openssl_handles.hpp"

namespace kiosk::sim::card {

namespace {

using nlohmann::json;

class Checker {
 public:
  explicit Checker(const std::filesystem::path& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw CardFileError(file_.string() + ": " + field + ": " + what);
  }

  static std::string shown(const json& v) {
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      return s.size() > 40 ? "\"" + s.substr(0, 40) + "...\"" : "\"" + s + "\"";
    }
    if (v.is_object()) return "an object";
    if (v.is_array()) return "a list";
    return v.dump();
  }

  const json& member(const json& parent, const std::string& parent_name, const char* key) const {
    const std::string field = parent_name.empty() ? key : parent_name + "." + key;
    if (!parent.is_object()) fail(parent_name, "expected an object, found " + shown(parent));
    const auto it = parent.find(key);
    if (it == parent.end()) fail(field, "missing");
    return *it;
  }

  std::string text(const json& parent, const std::string& parent_name, const char* key, std::size_t max_size) const {
    const json& v = member(parent, parent_name, key);
    const std::string field = parent_name.empty() ? key : parent_name + "." + key;
    if (!v.is_string()) fail(field, "expected a string, found " + shown(v));
    std::string s = v.get<std::string>();
    if (s.size() > max_size) fail(field, "longer than " + std::to_string(max_size) + " bytes");
    return s;
  }

  std::string digits(const json& parent, const std::string& parent_name, const char* key, std::size_t length) const {
    std::string s = text(parent, parent_name, key, 64);
    const bool ok = s.size() == length && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!ok) fail(field_of(parent_name, key), std::to_string(length) + " digits, found " + shown(s));
    return s;
  }

  std::chrono::year_month_day date(const json& parent, const std::string& parent_name, const char* key) const {
    const std::string s = digits(parent, parent_name, key, 8);
    const auto d = hal::calendar::parse_yyyymmdd(s);
    if (!d) fail(field_of(parent_name, key), "not a calendar date (YYYYMMDD): " + s);
    return *d;
  }

  bool boolean(const json& parent, const std::string& parent_name, const char* key) const {
    const json& v = member(parent, parent_name, key);
    if (!v.is_boolean()) fail(field_of(parent_name, key), "expected true or false, found " + shown(v));
    return v.get<bool>();
  }

  // A whole number in [low, high]; never wrapped or truncated (2^32+1 is not 1, 2.9 not 2).
  long long integer(const json& parent, const std::string& parent_name, const char* key, long long low, long long high) const {
    const json& v = member(parent, parent_name, key);
    long long n = 0;
    bool ok = false;
    if (v.is_number_integer() && !(v.is_number_unsigned() && v.get<unsigned long long>() > 1ULL << 62)) {
      n = v.get<long long>();
      ok = true;
    } else if (v.is_number_float()) {
      const double d = v.get<double>();
      ok = std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 1e15;
      n = ok ? static_cast<long long>(d) : 0;
    }
    if (!ok || n < low || n > high) {
      fail(field_of(parent_name, key),
           "a whole number from " + std::to_string(low) + " to " + std::to_string(high) + ", found " + shown(v));
    }
    return n;
  }

  std::string base64_bytes(const json& parent, const std::string& parent_name, const char* key, std::size_t max_size) const {
    const std::string s = text(parent, parent_name, key, max_size);
    const bool alphabet = std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    });
    if (!alphabet || s.size() % 4 != 0) fail(field_of(parent_name, key), "not base64");
    std::string out(3 * s.size() / 4, '\0');
    const int n = s.empty() ? 0
                            : EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                              reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
    if (n < 0) fail(field_of(parent_name, key), "not base64");
    std::size_t size = static_cast<std::size_t>(n);
    if (!s.empty() && s.back() == '=') --size;
    if (s.size() >= 2 && s[s.size() - 2] == '=') --size;
    out.resize(size);
    return out;
  }

  // A retry counter slot: {"value": null | "<format>", "max_tries": 1..15, "tries_left": 0..max}.
  void pin_slot(const json& parent, const std::string& parent_name, const char* key, std::size_t min_length,
                std::size_t max_length, bool digits_only) const {
    const std::string name = field_of(parent_name, key);
    const json& slot = member(parent, parent_name, key);
    if (!slot.is_object()) fail(name, "expected an object, found " + shown(slot));
    const json& value = member(slot, name, "value");
    if (!value.is_null()) {
      if (!value.is_string()) fail(name + ".value", "expected a string or null, found " + shown(value));
      const std::string v = value.get<std::string>();
      const bool chars_ok = std::all_of(v.begin(), v.end(), [&](char c) {
        return (c >= '0' && c <= '9') || (!digits_only && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')));
      });
      if (v.size() < min_length || v.size() > max_length || !chars_ok) {
        fail(name + ".value", std::to_string(min_length) + (min_length == max_length ? "" : "-" + std::to_string(max_length)) +
                                  (digits_only ? " digits" : " letters or digits"));
      }
    }
    const long long max_tries = integer(slot, name, "max_tries", 1, 15);
    integer(slot, name, "tries_left", 0, max_tries);
  }

  // `foreign_certificate`: an attack card's certificate is the victim's and need not hold the key.
  void key_pair(const json& parent, const std::string& parent_name, const char* key, std::size_t pin_min,
                std::size_t pin_max, bool pin_digits_only, bool foreign_certificate = false) const {
    const std::string name = field_of(parent_name, key);
    const json& pair = member(parent, parent_name, key);
    if (!pair.is_object()) fail(name, "expected an object, found " + shown(pair));
    const std::string pem = text(pair, name, "private_key_pem", 16384);
    const hal::openssl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    const hal::openssl::EvpPkeyPtr private_key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    if (!private_key) fail(name + ".private_key_pem", "not a PEM private key");
    const hal::openssl::X509Ptr certificate = x509(pair, name, "certificate");
    x509(pair, name, "ca_certificate");
    if (!foreign_certificate && X509_check_private_key(certificate.get(), private_key.get()) != 1) {
      ERR_clear_error();
      fail(name + ".certificate", "does not hold the public half of private_key_pem");
    }
    pin_slot(pair, name, "pin", pin_min, pin_max, pin_digits_only);
  }

  // The card-face proof (docs/genuine-card.md): the chip's 券面AP key, DF24, EF 0004, DF28 and the
  // printed-text images. Its contents are not judged here (an attack card carries forged ones on
  // purpose): only that each part is there and readable.
  void card_face(const json& parent, const std::string& parent_name, const char* key) const {
    const std::string name = field_of(parent_name, key);
    const json& face = member(parent, parent_name, key);
    if (!face.is_object()) fail(name, "expected an object or null, found " + shown(face));
    const std::string pem = text(face, name, "private_key_pem", 16384);
    const hal::openssl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    const hal::openssl::EvpPkeyPtr private_key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    if (!private_key) fail(name + ".private_key_pem", "not a PEM private key");
    for (const char* part : {"record_card_key", "certificate", "record_signature"}) {
      if (base64_bytes(face, name, part, 4096).empty()) fail(field_of(name, part), "empty");
    }
    for (const char* image : {"name_png", "address_png", "security_code_png"}) base64_bytes(face, name, image, 262144);
    digits(face, name, "municipality_code", 5);
  }

  hal::openssl::X509Ptr x509(const json& parent, const std::string& parent_name, const char* key) const {
    const std::string der = base64_bytes(parent, parent_name, key, 65536);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    hal::openssl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    ERR_clear_error();
    if (!cert || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
      fail(field_of(parent_name, key), "not a DER X.509 certificate (base64)");
    }
    return cert;
  }

  static std::string field_of(const std::string& parent_name, const char* key) {
    return parent_name.empty() ? std::string(key) : parent_name + "." + key;
  }

 private:
  std::filesystem::path file_;
};

}  // namespace

void check_card_file(const json& card, const std::filesystem::path& file) {
  const Checker c(file);
  if (!card.is_object()) c.fail("(file)", "expected a JSON object, found " + Checker::shown(card));
  if (c.text(card, "", "format", 64) != "kiosk-sim-card/1") c.fail("format", "expected \"kiosk-sim-card/1\"");
  const json& holder = c.member(card, "", "holder");
  if (c.text(holder, "holder", "name", 200).empty()) c.fail("holder.name", "empty");
  // 照合番号B starts with the birth date in its Japanese era: 明治 (1868-01-25) or later.
  if (!hal::calendar::to_era(c.date(holder, "holder", "birth_date"))) {
    c.fail("holder.birth_date", "before the Meiji era (1868-01-25): no Japanese-era date for the card's 照合番号B");
  }
  const std::string sex = c.text(holder, "holder", "sex", 8);
  if (sex != "0" && sex != "1" && sex != "2" && sex != "9") c.fail("holder.sex", "one ISO 5218 digit (0, 1, 2, 9), found \"" + sex + "\"");
  c.text(holder, "holder", "address", 400);
  c.date(card, "", "card_expiry");
  c.digits(card, "", "security_code", 4);
  const std::string token = c.text(card, "", "token", 16);
  if (token != "card" && token != "android" && token != "iphone") c.fail("token", "card, android or iphone, found \"" + token + "\"");
  // An attack card (kiosk-sim card issue --clone-of) says so: its certificate is the victim's.
  bool attack_card = false;
  if (card.contains("attack")) {
    const std::string attack = c.text(card, "", "attack", 32);
    const bool known = attack == "foreign-root" || attack == "forged-certificate" || attack == "forged-record" ||
                       attack == "stolen-record" || attack == "other-card";
    if (!known) c.fail("attack", "a clone variant (docs/genuine-card.md), found \"" + attack + "\"");
    attack_card = true;
  }
  c.key_pair(card, "", "auth", 4, 4, true, attack_card);
  if (!c.member(card, "", "sign").is_null()) c.key_pair(card, "", "sign", 6, 16, false);
  const std::string photo = c.base64_bytes(card, "", "face_photo_jp2", 4 << 20);
  if (token == "card" && (photo.size() < 12 || photo.compare(4, 4, "jP  ") != 0)) {
    c.fail("face_photo_jp2", "a card's face photo is a JPEG 2000 (JP2) image");
  }
  c.pin_slot(card, "", "code_b", 14, 14, true);
  const std::string my_number = c.text(card, "", "my_number", 64);
  if (!my_number.empty()) c.digits(card, "", "my_number", 12);
  c.pin_slot(card, "", "text_pin", 4, 4, true);
  // Absent in card files made before the genuine-card proof: today's card, no card-face proof.
  if (card.contains("generation")) {
    const std::string generation = c.text(card, "", "generation", 16);
    if (generation != "current" && generation != "next") c.fail("generation", "current or next, found \"" + generation + "\"");
  }
  if (card.contains("card_face") && !card.at("card_face").is_null()) c.card_face(card, "", "card_face");
  const json& caps = c.member(card, "", "capabilities");
  c.boolean(caps, "capabilities", "extended_length");
  c.boolean(caps, "capabilities", "short_ef_identifiers");
  c.integer(caps, "capabilities", "file_padding", 0, 4096);
}

json read_card_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw CardFileError(file.string() + ": not a card file (no such file)");
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > (1u << 20)) throw CardFileError(file.string() + ": not a card file (more than 1 MiB)");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  // Nesting: a card file is 3 levels deep; refuse deep values before they are parsed.
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char ch : s) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    if (ch == '"') in_string = true;
    if (ch == '{' || ch == '[') {
      if (++depth > 8) throw CardFileError(file.string() + ": not a card file (nested deeper than 8 levels)");
    }
    if ((ch == '}' || ch == ']') && depth > 0) --depth;
  }
  json card;
  try {
    card = json::parse(s);
  } catch (const json::exception& e) {
    throw CardFileError(file.string() + ": not JSON: " + e.what());
  }
  check_card_file(card, file);
  return card;
}

}  // namespace kiosk::sim::card
