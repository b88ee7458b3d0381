#include "sim/card/card_profile.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace kiosk::sim::card {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "kiosk-sim-card/1";

std::string base64(const Bytes& in) {
  if (in.empty()) return {};
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), in.data(), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Bytes unbase64(const std::string& in) {
  if (in.empty()) return {};
  if (in.size() % 4 != 0) throw std::runtime_error("bad base64 length");
  Bytes out(3 * in.size() / 4);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) throw std::runtime_error("bad base64");
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock keeps the zero bytes that stand for '=' padding.
  if (in.size() >= 1 && in[in.size() - 1] == '=') --size;
  if (in.size() >= 2 && in[in.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

json pin_to_json(const PinSlot& p) {
  return json{{"value", p.value ? json(*p.value) : json(nullptr)}, {"max_tries", p.max_tries}, {"tries_left", p.tries_left}};
}

PinSlot pin_from_json(const json& j) {
  PinSlot p;
  if (!j.at("value").is_null()) p.value = j.at("value").get<std::string>();
  p.max_tries = j.at("max_tries").get<int>();
  p.tries_left = j.at("tries_left").get<int>();
  if (p.max_tries < 1 || p.max_tries > 15 || p.tries_left < 0 || p.tries_left > p.max_tries) {
    throw std::runtime_error("retry counter out of range");
  }
  return p;
}

json keypair_to_json(const KeyPairSlot& k) {
  return json{{"private_key_pem", k.private_key_pem},
              {"certificate", base64(k.certificate)},
              {"ca_certificate", base64(k.ca_certificate)},
              {"pin", pin_to_json(k.pin)}};
}

KeyPairSlot keypair_from_json(const json& j) {
  return KeyPairSlot{j.at("private_key_pem").get<std::string>(), unbase64(j.at("certificate").get<std::string>()),
                     unbase64(j.at("ca_certificate").get<std::string>()), pin_from_json(j.at("pin"))};
}

const char* token_name(TokenType t) {
  switch (t) {
    case TokenType::Card: return "card";
    case TokenType::AndroidSmartphone: return "android";
    case TokenType::IPhone: return "iphone";
  }
  return "card";
}

TokenType token_from_name(const std::string& s) {
  if (s == "card") return TokenType::Card;
  if (s == "android") return TokenType::AndroidSmartphone;
  if (s == "iphone") return TokenType::IPhone;
  throw std::runtime_error("unknown token type '" + s + "'");
}

json card_face_to_json(const CardFaceSecurity& c) {
  return json{{"private_key_pem", c.private_key_pem},
              {"record_card_key", base64(c.record_card_key)},
              {"certificate", base64(c.certificate)},
              {"record_signature", base64(c.record_signature)},
              {"name_png", base64(c.name_png)},
              {"address_png", base64(c.address_png)},
              {"security_code_png", base64(c.security_code_png)},
              {"municipality_code", c.municipality_code}};
}

CardFaceSecurity card_face_from_json(const json& j) {
  CardFaceSecurity c;
  c.private_key_pem = j.at("private_key_pem").get<std::string>();
  c.record_card_key = unbase64(j.at("record_card_key").get<std::string>());
  c.certificate = unbase64(j.at("certificate").get<std::string>());
  c.record_signature = unbase64(j.at("record_signature").get<std::string>());
  c.name_png = unbase64(j.at("name_png").get<std::string>());
  c.address_png = unbase64(j.at("address_png").get<std::string>());
  c.security_code_png = unbase64(j.at("security_code_png").get<std::string>());
  c.municipality_code = j.at("municipality_code").get<std::string>();
  return c;
}

bool is_digits(const std::string& s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

const char* to_string(CardGeneration g) { return g == CardGeneration::Next ? "next" : "current"; }

CardGeneration card_generation_from_name(const std::string& name) {
  if (name == "current") return CardGeneration::Current;
  if (name == "next") return CardGeneration::Next;
  throw std::invalid_argument("unknown card generation '" + name + "' (current, next)");
}

CardProfile CardProfile::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot open card file " + file.string());
  try {
    const json j = json::parse(in);
    if (j.at("format").get<std::string>() != kFormat) throw std::runtime_error("not a " + std::string(kFormat) + " file");
    CardProfile p;
    const json& h = j.at("holder");
    p.holder_name = h.at("name").get<std::string>();
    p.birth_date = h.at("birth_date").get<std::string>();
    const std::string sex = h.at("sex").get<std::string>();
    if (sex.size() != 1) throw std::runtime_error("sex must be one ISO 5218 digit");
    p.sex = sex[0];
    p.address = h.at("address").get<std::string>();
    p.card_expiry = j.at("card_expiry").get<std::string>();
    p.security_code = j.at("security_code").get<std::string>();
    if (!is_digits(p.birth_date, 8) || !is_digits(p.card_expiry, 8) || !is_digits(p.security_code, 4)) {
      throw std::runtime_error("birth_date/card_expiry must be YYYYMMDD and security_code 4 digits");
    }
    p.token = token_from_name(j.at("token").get<std::string>());
    if (j.contains("generation")) {
      try {
        p.generation = card_generation_from_name(j.at("generation").get<std::string>());
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
      }
    }
    p.auth = keypair_from_json(j.at("auth"));
    if (!j.at("sign").is_null()) p.sign = keypair_from_json(j.at("sign"));
    p.face_photo_jp2 = unbase64(j.at("face_photo_jp2").get<std::string>());
    p.code_b = pin_from_json(j.at("code_b"));
    p.my_number = j.at("my_number").get<std::string>();
    p.text_pin = pin_from_json(j.at("text_pin"));
    if (j.contains("card_face") && !j.at("card_face").is_null()) p.card_face = card_face_from_json(j.at("card_face"));
    if (j.contains("attack") && !j.at("attack").is_null()) p.attack = j.at("attack").get<std::string>();
    const json& caps = j.at("capabilities");
    p.extended_length = caps.at("extended_length").get<bool>();
    p.short_ef_identifiers = caps.at("short_ef_identifiers").get<bool>();
    p.file_padding = caps.at("file_padding").get<std::size_t>();
    return p;
  } catch (const json::exception& e) {
    throw std::runtime_error("card file " + file.string() + " is malformed: " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("card file " + file.string() + ": " + e.what());
  }
}

void CardProfile::save(const std::filesystem::path& file) const {
  json j{
      {"format", kFormat},
      {"holder", {{"name", holder_name}, {"birth_date", birth_date}, {"sex", std::string(1, sex)}, {"address", address}}},
      {"card_expiry", card_expiry},
      {"security_code", security_code},
      {"token", token_name(token)},
      {"generation", to_string(generation)},
      {"auth", keypair_to_json(auth)},
      {"sign", sign ? keypair_to_json(*sign) : json(nullptr)},
      {"face_photo_jp2", base64(face_photo_jp2)},
      {"code_b", pin_to_json(code_b)},
      {"my_number", my_number},
      {"text_pin", pin_to_json(text_pin)},
      {"card_face", card_face ? card_face_to_json(*card_face) : json(nullptr)},
      {"capabilities",
       {{"extended_length", extended_length}, {"short_ef_identifiers", short_ef_identifiers}, {"file_padding", file_padding}}},
  };
  if (!attack.empty()) j["attack"] = attack;
  const std::string text = j.dump(2) + "\n";
  const std::filesystem::path tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot write " + tmp.string());
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::system_error(err, std::generic_category(), "cannot write " + tmp.string());
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) throw std::system_error(errno, std::generic_category(), "cannot sync " + tmp.string());
  std::filesystem::rename(tmp, file);
}

std::string japanese_era_date(const std::string& d) {
  if (!is_digits(d, 8)) throw std::invalid_argument("date must be YYYYMMDD");
  const int ymd = std::stoi(d);
  struct Era { int start; int first_year; };
  // 明治 1868-01-25, 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01
  static constexpr Era eras[] = {{20190501, 2019}, {19890108, 1989}, {19261225, 1926}, {19120730, 1912}, {18680125, 1868}};
  for (const Era& e : eras) {
    if (ymd >= e.start) {
      const int year = ymd / 10000 - e.first_year + 1;
      char out[16];
      std::snprintf(out, sizeof out, "%02d%04d", year % 100, ymd % 10000);
      return out;
    }
  }
  throw std::invalid_argument("date before the Meiji era");
}

std::string compute_code_b(const std::string& birth, const std::string& expiry, const std::string& code) {
  if (!is_digits(expiry, 8) || !is_digits(code, 4)) throw std::invalid_argument("expiry YYYYMMDD and a 4-digit code");
  return japanese_era_date(birth) + expiry.substr(0, 4) + code;
}

}  // namespace kiosk::sim::card
