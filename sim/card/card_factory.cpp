#include "sim/card/card_factory.hpp"

#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "hal/calendar.hpp"
#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/ca/rsa_key.hpp"
#include "sim/card/card_face_record.hpp"

namespace kiosk::sim::card {
namespace {

using namespace std::chrono;
using TimePoint = system_clock::time_point;

constexpr int kPhotoWidth = 240;
constexpr int kPhotoHeight = 320;

bool all_digits(const std::string& s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

year_month_day parse_date(const std::string& yyyymmdd) {
  const auto d = hal::calendar::parse_yyyymmdd(yyyymmdd);
  if (!d) throw std::invalid_argument("a date is YYYYMMDD: '" + yyyymmdd + "'");
  return *d;
}

// The holder's n-th birthday after `from` (29 February becomes 1 March in other years).
year_month_day nth_birthday_after(year_month_day birth, year_month_day from, int n) {
  year y = from.year();
  auto on = [&](year yr) {
    year_month_day d{yr, birth.month(), birth.day()};
    return d.ok() ? d : year_month_day{sys_days{yr / birth.month() / last} + days{1}};
  };
  if (sys_days{on(y)} <= sys_days{from}) y += years{1};
  return on(y + years{n - 1});
}

TimePoint at_midnight(year_month_day d) { return sys_days{d}; }

void check_pin(const std::string& pin) {
  if (pin.size() != 4 || !all_digits(pin)) throw std::invalid_argument("the user-authentication PIN is 4 digits");
}

void check_sign_password(const std::string& pw) {
  bool letter = false;
  bool digit = false;
  for (char c : pw) {
    if (c >= 'A' && c <= 'Z') {
      letter = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      throw std::invalid_argument("the signing password uses A-Z and 0-9 only");
    }
  }
  if (pw.size() < 6 || pw.size() > 16 || !letter || !digit) {
    throw std::invalid_argument("the signing password is 6-16 characters with at least one letter and one digit");
  }
}

std::string random_digits(std::size_t n) {
  Bytes r(n);
  if (RAND_bytes(r.data(), static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string out;
  for (Byte b : r) out.push_back(static_cast<char>('0' + b % 10));
  return out;
}

// A 12-digit individual number with its check digit (the rule of 行政手続における特定の個人を
// 識別するための番号の利用等に関する法律施行令 第8条).
std::string random_my_number() {
  const std::string base = random_digits(11);
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    const int p = base[static_cast<std::size_t>(11 - n)] - '0';
    const int q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const int rest = sum % 11;
  const int check = rest <= 1 ? 0 : 11 - rest;
  return base + static_cast<char>('0' + check);
}

std::string serial_of(const Bytes& der) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (!cert) throw std::runtime_error("issued certificate does not parse");
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr), BN_free);
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) throw std::runtime_error("serial does not convert to hex");
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

}  // namespace

CertificateCondition certificate_condition_from_name(const std::string& name) {
  if (name == "valid") return CertificateCondition::Valid;
  if (name == "expiring-soon") return CertificateCondition::ExpiringSoon;
  if (name == "expired-in-grace") return CertificateCondition::ExpiredInGrace;
  if (name == "expired") return CertificateCondition::Expired;
  if (name == "revoked") return CertificateCondition::Revoked;
  throw std::invalid_argument("unknown certificate condition '" + name +
                              "' (valid, expiring-soon, expired-in-grace, expired, revoked)");
}

Bytes make_card_photo_jp2(const std::optional<std::filesystem::path>& image) {
  cv::Mat grey;
  if (image) {
    grey = cv::imread(image->string(), cv::IMREAD_GRAYSCALE);
    if (grey.empty()) throw std::runtime_error("cannot read the photo " + image->string());
    // Face sets are tight crops; a card photo shows head and shoulders with a margin.
    const int mx = grey.cols * 3 / 10;
    const int my = grey.rows * 3 / 10;
    cv::copyMakeBorder(grey, grey, my, my, mx, mx, cv::BORDER_CONSTANT, cv::Scalar(200));
  } else {
    grey = cv::Mat(kPhotoHeight, kPhotoWidth, CV_8UC1, cv::Scalar(200));
    cv::ellipse(grey, {kPhotoWidth / 2, 130}, {55, 72}, 0, 0, 360, cv::Scalar(150), cv::FILLED);
    cv::ellipse(grey, {kPhotoWidth / 2, 330}, {110, 90}, 0, 0, 360, cv::Scalar(90), cv::FILLED);
  }
  // Fit into 3:4 with the same background, then scale to the card's photo size.
  const double target = static_cast<double>(kPhotoWidth) / kPhotoHeight;
  const double aspect = static_cast<double>(grey.cols) / grey.rows;
  if (aspect > target) {
    const int pad = static_cast<int>(grey.cols / target) - grey.rows;
    cv::copyMakeBorder(grey, grey, pad / 2, pad - pad / 2, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(200));
  } else if (aspect < target) {
    const int pad = static_cast<int>(grey.rows * target) - grey.cols;
    cv::copyMakeBorder(grey, grey, 0, 0, pad / 2, pad - pad / 2, cv::BORDER_CONSTANT, cv::Scalar(200));
  }
  cv::resize(grey, grey, {kPhotoWidth, kPhotoHeight}, 0, 0, cv::INTER_AREA);
  std::vector<uchar> jp2;
  if (!cv::imencode(".jp2", grey, jp2, {cv::IMWRITE_JPEG2000_COMPRESSION_X1000, 150})) {
    throw std::runtime_error("OpenCV cannot encode JPEG 2000");
  }
  return Bytes(jp2.begin(), jp2.end());
}

CardFaceSecurity issue_card_face_security(sim::ca::SimulatedJpkiCa& ca, const CardProfile& profile,
                                          const std::string& municipality_code) {
  sim::ca::SimulatedCardFaceCa face_ca = sim::ca::SimulatedCardFaceCa::open_or_create(ca.directory());
  const sim::ca::SimulatedCardFaceCa::Issuer& issuer = face_ca.issuer(municipality_code);
  const sim::ca::RsaKey chip = sim::ca::RsaKey::generate(2048);
  CardFaceSecurity s;
  s.private_key_pem = chip.to_pem();
  s.record_card_key = sim::ca::rsa_key_objects(chip);
  s.certificate = issuer.certificate;
  s.name_png = printed_text_png(profile.holder_name, 32);
  s.address_png = printed_text_png(profile.address, 24);
  s.security_code_png = printed_text_png(profile.security_code, 24);
  s.municipality_code = municipality_code;
  CardProfile signed_profile = profile;
  signed_profile.card_face = s;
  s.record_signature = sim::ca::sign_card_face_groups(issuer.key, card_face_signed_groups(signed_profile));
  return s;
}

CardProfile issue_card(sim::ca::SimulatedJpkiCa& ca, const CardOrder& order) {
  const year_month_day birth = parse_date(order.birth_date);
  if (order.sex != '0' && order.sex != '1' && order.sex != '2' && order.sex != '9') {
    throw std::invalid_argument("sex is an ISO 5218 digit: 0, 1, 2 or 9");
  }
  if (order.pin) check_pin(*order.pin);
  if (order.sign_password) check_sign_password(*order.sign_password);
  if (!order.pin && order.sign_password) {
    throw std::invalid_argument("a face-only card (no PIN) carries no 署名用 certificate");
  }
  if (order.auth_tries_left < 0 || order.auth_tries_left > 3) throw std::invalid_argument("auth tries left is 0..3");
  if (!order.security_code.empty() && (order.security_code.size() != 4 || !all_digits(order.security_code))) {
    throw std::invalid_argument("the security code is 4 digits");
  }

  const year_month_day today{floor<days>(order.today)};
  year_month_day issued{sys_days{today} - days{365}};
  // Certificate validity: from issue to the 5th birthday after it (docs/card-protocol.md §10).
  TimePoint not_before = at_midnight(issued);
  TimePoint not_after = at_midnight(nth_birthday_after(birth, issued, 5)) - seconds{1};
  switch (order.certificate) {
    case CertificateCondition::Valid:
    case CertificateCondition::Revoked:
      break;
    case CertificateCondition::ExpiringSoon:
      not_after = at_midnight(today) + days{45};
      break;
    case CertificateCondition::ExpiredInGrace:
      not_after = at_midnight(today) - days{30};
      break;
    case CertificateCondition::Expired:
      not_after = at_midnight(today) - days{120};
      break;
  }
  if (not_after <= not_before) not_before = not_after - days{5 * 365};
  issued = year_month_day{floor<days>(not_before)};
  // The card itself runs to the 10th birthday after issue.
  const year_month_day card_expiry = nth_birthday_after(birth, issued, 10);

  CardProfile p;
  p.holder_name = order.holder_name;
  p.birth_date = order.birth_date;
  p.sex = order.sex;
  p.address = order.address;
  p.card_expiry = hal::calendar::format_yyyymmdd(card_expiry);
  p.security_code = order.security_code.empty() ? random_digits(4) : order.security_code;
  p.token = order.token;
  p.generation = order.generation;
  if (order.generation == CardGeneration::Next && order.token != TokenType::Card) {
    throw std::invalid_argument("only a card (not a smartphone) has a generation");
  }

  const sim::ca::RsaKey auth_key = sim::ca::RsaKey::generate(2048);
  const std::string holder_id = "JPKISIM" + random_digits(16);
  p.auth.private_key_pem = auth_key.to_pem();
  p.auth.certificate = ca.issue_auth_certificate(auth_key, holder_id, not_before, not_after);
  p.auth.ca_certificate = ca.auth_ca_certificate_der();
  p.auth.pin = PinSlot{order.pin, 3, order.pin ? order.auth_tries_left : 0};
  if (order.certificate == CertificateCondition::Revoked) ca.revoke(serial_of(p.auth.certificate), order.today);

  if (order.sign_password) {
    const sim::ca::RsaKey sign_key = sim::ca::RsaKey::generate(2048);
    sim::ca::SignHolder holder;
    holder.name = order.holder_name;
    holder.sex = std::string(1, order.sex);
    holder.birth_date = order.birth_date;
    holder.address = order.address;
    holder.locality = "Kiosk-shi";
    KeyPairSlot sign;
    sign.private_key_pem = sign_key.to_pem();
    sign.certificate = ca.issue_sign_certificate(sign_key, holder, not_before, not_after);
    sign.ca_certificate = ca.sign_ca_certificate_der();
    sign.pin = PinSlot{order.sign_password, 5, 5};
    if (order.certificate == CertificateCondition::Revoked) ca.revoke(serial_of(sign.certificate), order.today);
    p.sign = std::move(sign);
  }

  if (order.token == TokenType::Card) {
    p.face_photo_jp2 = make_card_photo_jp2(order.photo);
    p.code_b = PinSlot{compute_code_b(p.birth_date, p.card_expiry, p.security_code), 10, 10};
    p.my_number = random_my_number();
    p.text_pin = PinSlot{order.pin, 3, order.pin ? 3 : 0};
    // Today's card carries the provable card-face record; the next-generation card's 券面等AP is
    // not known (the simulator serves nothing in it).
    if (order.generation == CardGeneration::Current) p.card_face = issue_card_face_security(ca, p, order.municipality_code);
  }
  return p;
}

}  // namespace kiosk::sim::card
