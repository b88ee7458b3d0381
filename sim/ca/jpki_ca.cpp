#include "sim/ca/jpki_ca.hpp"

#include "hal/calendar.hpp"
#include "hal/files.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "sim/ca/asn1_fields.hpp"

namespace kiosk::sim::ca {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;
using hal::openssl::throw_error;
using Json = nlohmann::json;

constexpr std::string_view kStateFile = "ca.json";
constexpr std::string_view kStateFormat = "kiosk-jpki-sim-ca";
constexpr int kStateVersion = 1;
constexpr int kRequiredKeyBits = 2048;

fs::path cert_file(const fs::path& dir, CaKind kind) {
  return dir / (std::string(to_string(kind)) + "-ca.pem");
}
fs::path key_file(const fs::path& dir, CaKind kind) {
  return dir / (std::string(to_string(kind)) + "-ca.key");
}

// ------------------------------------------------------------------------------------ state

struct IssuedRecord {
  std::string serial;  // canonical hex
  CaKind kind = CaKind::UserAuthentication;
  std::string subject;
};

struct RevokedRecord {
  std::string serial;
  CaKind kind = CaKind::UserAuthentication;
  TimePoint revoked_at{};
};

struct State {
  std::uint64_t next_serial = 1;
  std::vector<IssuedRecord> issued;
  std::vector<RevokedRecord> revoked;
};

// Parses exactly "YYYY-MM-DDTHH:MM:SSZ".
TimePoint parse_iso_utc(const std::string& text) {
  auto bad = [&] { return CaError("corrupt ca.json: bad time '" + text + "'"); };
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    throw bad();
  }
  auto field = [&](std::size_t pos, std::size_t len) {
    int value = 0;
    const char* first = text.data() + pos;
    const auto [end, ec] = std::from_chars(first, first + len, value);
    if (ec != std::errc() || end != first + len) throw bad();
    return value;
  };
  using namespace std::chrono;
  const year_month_day date{year{field(0, 4)}, month{static_cast<unsigned>(field(5, 2))},
                            day{static_cast<unsigned>(field(8, 2))}};
  const int h = field(11, 2), m = field(14, 2), s = field(17, 2);
  if (!date.ok() || h > 23 || m > 59 || s > 60) throw bad();
  return sys_days{date} + hours{h} + minutes{m} + seconds{s};
}

CaKind kind_from_string(const std::string& text) {
  if (text == to_string(CaKind::UserAuthentication)) return CaKind::UserAuthentication;
  if (text == to_string(CaKind::DigitalSignature)) return CaKind::DigitalSignature;
  throw CaError("corrupt ca.json: unknown CA kind '" + text + "'");
}

std::string canonical_serial(const std::string& text) {
  try {
    return detail::normalize_serial_hex(text);
  } catch (const std::invalid_argument&) {
    ERR_clear_error();
    throw CaError("corrupt ca.json: bad serial '" + text + "'");
  }
}

Json to_json(const State& state) {
  Json issued = Json::array();
  for (const auto& r : state.issued) {
    issued.push_back({{"serial", r.serial}, {"ca", to_string(r.kind)}, {"subject", r.subject}});
  }
  Json revoked = Json::array();
  for (const auto& r : state.revoked) {
    revoked.push_back(
        {{"serial", r.serial}, {"ca", to_string(r.kind)}, {"revoked_at", hal::calendar::format_iso8601_utc(r.revoked_at)}});
  }
  return {{"format", kStateFormat},   {"version", kStateVersion}, {"next_serial", state.next_serial},
          {"issued", issued},          {"revoked", revoked}};
}

State state_from_text(const std::string& text) {
  try {
    const Json json = Json::parse(text);
    if (!json.is_object()) throw CaError("corrupt ca.json: not a JSON object");
    if (json.at("format").get<std::string>() != kStateFormat) {
      throw CaError("corrupt ca.json: not a simulated JPKI CA state file");
    }
    if (json.at("version").get<int>() != kStateVersion) {
      throw CaError("ca.json: unsupported version " + json.at("version").dump());
    }
    State state;
    state.next_serial = json.at("next_serial").get<std::uint64_t>();
    if (state.next_serial == 0) throw CaError("corrupt ca.json: next_serial must be positive");
    for (const auto& item : json.at("issued")) {
      state.issued.push_back({canonical_serial(item.at("serial").get<std::string>()),
                              kind_from_string(item.at("ca").get<std::string>()),
                              item.at("subject").get<std::string>()});
    }
    for (const auto& item : json.at("revoked")) {
      RevokedRecord record{canonical_serial(item.at("serial").get<std::string>()),
                           kind_from_string(item.at("ca").get<std::string>()),
                           parse_iso_utc(item.at("revoked_at").get<std::string>())};
      const bool known = std::any_of(state.issued.begin(), state.issued.end(), [&](const auto& i) {
        return i.serial == record.serial && i.kind == record.kind;
      });
      if (!known) throw CaError("corrupt ca.json: revoked serial " + record.serial + " was never issued");
      state.revoked.push_back(std::move(record));
    }
    return state;
  } catch (const Json::exception& e) {
    throw CaError(std::string("corrupt ca.json: ") + e.what());
  }
}

// ------------------------------------------------------------------------------------ files

std::string read_text_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw CaError("missing CA file: " + path.string());
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw CaError("cannot read " + path.string());
  return text;
}

// Writes via a temporary file, fsync and a rename (hal/files.hpp), so that a crash never leaves
// half a file.
void write_file(const fs::path& path, std::string_view content, bool secret) {
  try {
    hal::write_file_atomically(path, content, secret ? 0600 : 0644);
  } catch (const std::system_error& e) {
    throw CaError(std::string("cannot write ") + path.string() + ": " + e.what());
  }
}

void save_state(const fs::path& dir, const State& state) {
  write_file(dir / kStateFile, to_json(state).dump(2) + "\n", false);
}

std::string certificate_pem(X509* cert) {
  auto bio = detail::output_bio();
  if (PEM_write_bio_X509(bio.get(), cert) != 1) throw_error<CaError>("PEM_write_bio_X509");
  return detail::bio_text(bio.get());
}

detail::X509Ptr certificate_from_pem(const std::string& pem, const fs::path& path) {
  auto bio = detail::memory_bio(pem);
  detail::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw_error<CaError>("corrupt CA certificate " + path.string());
  return cert;
}

Bytes certificate_der(X509* cert) {
  const int length = i2d_X509(cert, nullptr);
  if (length <= 0) throw_error<CaError>("i2d_X509");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_X509(cert, &out) != length) throw_error<CaError>("i2d_X509");
  return der;
}

// ------------------------------------------------------------------------------- certificates

void add_name_entry(X509_NAME* name, const char* field, std::string_view value) {
  if (value.empty()) throw std::invalid_argument(std::string("empty ") + field + " in a name");
  if (value.size() > 64) throw std::invalid_argument(std::string(field) + " longer than 64 bytes");
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    throw_error<CaError>(std::string("cannot set ") + field);
  }
}

detail::X509NamePtr new_name() {
  detail::X509NamePtr name(X509_NAME_new());
  if (!name) throw_error<CaError>("X509_NAME_new");
  return name;
}

detail::X509NamePtr ca_name(CaKind kind) {
  auto name = new_name();
  add_name_entry(name.get(), "C", "JP");
  add_name_entry(name.get(), "O", "JPKI-SIM");
  add_name_entry(name.get(), "OU", kind == CaKind::UserAuthentication ? "JPKI for user authentication"
                                                                      : "JPKI for digital signature");
  add_name_entry(name.get(), "OU", "Kiosk simulator");
  return name;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  detail::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    throw_error<CaError>(std::string("cannot add extension ") + OBJ_nid2sn(nid) + " = " + value);
  }
}

void set_serial(X509* cert, const BIGNUM* serial) {
  detail::Asn1IntegerPtr value(BN_to_ASN1_INTEGER(serial, nullptr));
  if (!value || X509_set_serialNumber(cert, value.get()) != 1) throw_error<CaError>("cannot set the serial");
}

// Common skeleton of every certificate: v3, serial, names, validity, public key.
detail::X509Ptr new_certificate(const BIGNUM* serial, X509_NAME* issuer, X509_NAME* subject,
                                TimePoint not_before, TimePoint not_after, EVP_PKEY* key) {
  detail::X509Ptr cert(X509_new());
  if (!cert) throw_error<CaError>("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_issuer_name(cert.get(), issuer) != 1 ||
      X509_set_subject_name(cert.get(), subject) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    throw_error<CaError>("cannot build the certificate");
  }
  set_serial(cert.get(), serial);
  detail::set_time(X509_getm_notBefore(cert.get()), not_before);
  detail::set_time(X509_getm_notAfter(cert.get()), not_after);
  return cert;
}

void sign_certificate(X509* cert, const RsaKey& key) {
  if (X509_sign(cert, key.native(), EVP_sha256()) <= 0) throw_error<CaError>("X509_sign");
}

TimePoint add_years(TimePoint t, int count) {
  using namespace std::chrono;
  const auto day_start = floor<days>(t);
  year_month_day date{day_start};
  date += years{count};
  if (!date.ok()) date = date.year() / date.month() / last;  // 29 February
  return sys_days{date} + (t - day_start);
}

detail::X509Ptr make_root(CaKind kind, const RsaKey& key, TimePoint now) {
  detail::BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1) {
    throw_error<CaError>("cannot draw a serial number");
  }
  auto name = ca_name(kind);
  auto cert = new_certificate(serial.get(), name.get(), name.get(), now, add_years(now, 10), key.native());
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign_certificate(cert.get(), key);
  return cert;
}

// An otherName entry with a UTF8String value.
void push_other_name(GENERAL_NAMES* names, const char* oid, const std::string& value) {
  std::unique_ptr<ASN1_OBJECT, detail::Deleter<ASN1_OBJECT_free>> type(OBJ_txt2obj(oid, 1));
  std::unique_ptr<ASN1_UTF8STRING, detail::Deleter<ASN1_UTF8STRING_free>> text(ASN1_UTF8STRING_new());
  std::unique_ptr<ASN1_TYPE, detail::Deleter<ASN1_TYPE_free>> any(ASN1_TYPE_new());
  std::unique_ptr<GENERAL_NAME, detail::Deleter<GENERAL_NAME_free>> name(GENERAL_NAME_new());
  if (!type || !text || !any || !name ||
      ASN1_STRING_set(text.get(), value.data(), static_cast<int>(value.size())) != 1) {
    throw_error<CaError>("cannot build a subjectAltName entry");
  }
  ASN1_TYPE_set(any.get(), V_ASN1_UTF8STRING, text.release());
  if (GENERAL_NAME_set0_othername(name.get(), type.get(), any.get()) != 1) {
    throw_error<CaError>("GENERAL_NAME_set0_othername");
  }
  type.release();
  any.release();
  if (sk_GENERAL_NAME_push(names, name.get()) <= 0) throw_error<CaError>("sk_GENERAL_NAME_push");
  name.release();
}

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void check_sign_holder(const SignHolder& holder) {
  if (holder.name.empty()) throw std::invalid_argument("the signing certificate needs the holder's name");
  if (holder.address.empty()) throw std::invalid_argument("the signing certificate needs the holder's address");
  if (holder.locality.empty()) throw std::invalid_argument("the signing certificate needs a locality");
  if (!(holder.sex == "0" || holder.sex == "1" || holder.sex == "2" || holder.sex == "9")) {
    throw std::invalid_argument("sex must be an ISO 5218 digit (0, 1, 2 or 9), got '" + holder.sex + "'");
  }
  if (holder.birth_date.size() != 8 || !all_digits(holder.birth_date)) {
    throw std::invalid_argument("birth date must be YYYYMMDD, got '" + holder.birth_date + "'");
  }
  using namespace std::chrono;
  const int y = std::stoi(holder.birth_date.substr(0, 4));
  const auto m = static_cast<unsigned>(std::stoi(holder.birth_date.substr(4, 2)));
  const auto d = static_cast<unsigned>(std::stoi(holder.birth_date.substr(6, 2)));
  if (!year_month_day{year{y}, month{m}, day{d}}.ok()) {
    throw std::invalid_argument("birth date is not a calendar date: " + holder.birth_date);
  }
}

std::string random_id() {
  Bytes random(10);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) throw_error<CaError>("RAND_bytes");
  return "SIM" + to_hex(random, '\0');
}

}  // namespace

std::string_view to_string(CaKind kind) {
  return kind == CaKind::UserAuthentication ? "auth" : "sign";
}

// --------------------------------------------------------------------------------------- Impl

struct SimulatedJpkiCa::Impl {
  detail::X509Ptr auth_cert;
  RsaKey auth_key;
  detail::X509Ptr sign_cert;
  RsaKey sign_key;
  State state;

  X509* cert(CaKind kind) const {
    return kind == CaKind::UserAuthentication ? auth_cert.get() : sign_cert.get();
  }
  const RsaKey& key(CaKind kind) const {
    return kind == CaKind::UserAuthentication ? auth_key : sign_key;
  }

  // Builds, signs and records one end-entity certificate; ca.json is saved before the
  // in-memory state changes, so a failed save issues nothing.
  Bytes issue(const fs::path& dir, CaKind kind, const RsaKey& holder_key, X509_NAME* subject,
              TimePoint not_before, TimePoint not_after,
              const std::function<void(X509* cert, X509* issuer)>& extensions) {
    if (holder_key.bits() != kRequiredKeyBits) {
      throw std::invalid_argument("JPKI keys are RSA-2048; the holder key has " +
                                  std::to_string(holder_key.bits()) + " bits");
    }
    if (!(not_before < not_after)) throw std::invalid_argument("notBefore must be before notAfter");

    detail::BignumPtr serial(BN_new());
    if (!serial || BN_set_word(serial.get(), state.next_serial) != 1) throw_error<CaError>("BN_set_word");
    X509* issuer = cert(kind);
    auto leaf = new_certificate(serial.get(), X509_get_subject_name(issuer), subject, not_before,
                                not_after, holder_key.native());
    extensions(leaf.get(), issuer);
    add_extension(leaf.get(), issuer, NID_subject_key_identifier, "hash");
    add_extension(leaf.get(), issuer, NID_authority_key_identifier, "keyid:always");
    sign_certificate(leaf.get(), key(kind));
    Bytes der = certificate_der(leaf.get());
    if (der.size() < 256 || der.size() > 65535 || der[0] != 0x30 || der[1] != 0x82) {
      throw CaError("issued certificate has an unexpected size (" + std::to_string(der.size()) + " bytes)");
    }

    State next = state;
    next.issued.push_back({detail::bignum_hex(serial.get()), kind, subject_text(subject)});
    ++next.next_serial;
    save_state(dir, next);
    state = std::move(next);
    return der;
  }

  static std::string subject_text(X509_NAME* name) {
    auto bio = detail::output_bio();
    const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
    if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) throw_error<CaError>("X509_NAME_print_ex");
    return detail::bio_text(bio.get());
  }
};

// ---------------------------------------------------------------------------- SimulatedJpkiCa

SimulatedJpkiCa::SimulatedJpkiCa(fs::path dir, std::unique_ptr<Impl> impl)
    : dir_(std::move(dir)), impl_(std::move(impl)) {}
SimulatedJpkiCa::SimulatedJpkiCa(SimulatedJpkiCa&&) noexcept = default;
SimulatedJpkiCa& SimulatedJpkiCa::operator=(SimulatedJpkiCa&&) noexcept = default;
SimulatedJpkiCa::~SimulatedJpkiCa() = default;

SimulatedJpkiCa SimulatedJpkiCa::create(const fs::path& dir, TimePoint now) {
  std::error_code ec;
  for (const auto& path : {cert_file(dir, CaKind::UserAuthentication), key_file(dir, CaKind::UserAuthentication),
                           cert_file(dir, CaKind::DigitalSignature), key_file(dir, CaKind::DigitalSignature),
                           dir / kStateFile}) {
    if (fs::exists(path, ec)) {
      throw CaError("a simulated JPKI CA already exists in " + dir.string() + " (" +
                    path.filename().string() + "); refusing to overwrite it");
    }
  }
  fs::create_directories(dir, ec);
  if (ec) throw CaError("cannot create " + dir.string() + ": " + ec.message());

  RsaKey auth_key = RsaKey::generate(kRequiredKeyBits);
  RsaKey sign_key = RsaKey::generate(kRequiredKeyBits);
  auto auth_cert = make_root(CaKind::UserAuthentication, auth_key, now);
  auto sign_cert = make_root(CaKind::DigitalSignature, sign_key, now);

  // ca.json last: its presence marks a complete CA.
  write_file(key_file(dir, CaKind::UserAuthentication), auth_key.to_pem(), true);
  write_file(cert_file(dir, CaKind::UserAuthentication), certificate_pem(auth_cert.get()), false);
  write_file(key_file(dir, CaKind::DigitalSignature), sign_key.to_pem(), true);
  write_file(cert_file(dir, CaKind::DigitalSignature), certificate_pem(sign_cert.get()), false);
  State state;
  save_state(dir, state);

  auto impl = std::make_unique<Impl>(Impl{std::move(auth_cert), std::move(auth_key),
                                          std::move(sign_cert), std::move(sign_key), std::move(state)});
  return SimulatedJpkiCa(dir, std::move(impl));
}

SimulatedJpkiCa SimulatedJpkiCa::open(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw CaError("no simulated JPKI CA at " + dir.string() + ": not a directory");

  auto load = [&](CaKind kind) {
    const fs::path cert_path = cert_file(dir, kind);
    const fs::path key_path = key_file(dir, kind);
    auto cert = certificate_from_pem(read_text_file(cert_path), cert_path);
    std::optional<RsaKey> key;
    try {
      key = RsaKey::from_pem(read_text_file(key_path));
    } catch (const KeyError& e) {
      throw CaError("corrupt CA key " + key_path.string() + ": " + e.what());
    }
    if (X509_check_private_key(cert.get(), key->native()) != 1) {
      throw_error<CaError>(key_path.string() + " does not belong to " + cert_path.string());
    }
    return std::pair{std::move(cert), std::move(*key)};
  };
  auto [auth_cert, auth_key] = load(CaKind::UserAuthentication);
  auto [sign_cert, sign_key] = load(CaKind::DigitalSignature);
  State state = state_from_text(read_text_file(dir / kStateFile));

  auto impl = std::make_unique<Impl>(Impl{std::move(auth_cert), std::move(auth_key),
                                          std::move(sign_cert), std::move(sign_key), std::move(state)});
  return SimulatedJpkiCa(dir, std::move(impl));
}

Bytes SimulatedJpkiCa::issue_auth_certificate(const RsaKey& holder_key, const std::string& subject_cn,
                                              TimePoint not_before, TimePoint not_after) {
  auto subject = new_name();
  add_name_entry(subject.get(), "C", "JP");
  add_name_entry(subject.get(), "CN", subject_cn);
  const std::string crl_dp = "URI:" + std::string(kAuthCrlUrl);
  return impl_->issue(dir_, CaKind::UserAuthentication, holder_key, subject.get(), not_before, not_after,
                      [&](X509* cert, X509* issuer) {
                        add_extension(cert, issuer, NID_key_usage, "critical,digitalSignature");
                        add_extension(cert, issuer, NID_ext_key_usage, "clientAuth");
                        add_extension(cert, issuer, NID_crl_distribution_points, crl_dp.c_str());
                      });
}

Bytes SimulatedJpkiCa::issue_sign_certificate(const RsaKey& holder_key, const SignHolder& holder,
                                              TimePoint not_before, TimePoint not_after) {
  check_sign_holder(holder);
  auto subject = new_name();
  add_name_entry(subject.get(), "C", "JP");
  add_name_entry(subject.get(), "L", holder.locality);
  add_name_entry(subject.get(), "CN", holder.subject_cn.empty() ? random_id() : holder.subject_cn);
  const std::string crl_dp = "URI:" + std::string(kSignCrlUrl);
  return impl_->issue(
      dir_, CaKind::DigitalSignature, holder_key, subject.get(), not_before, not_after,
      [&](X509* cert, X509* issuer) {
        add_extension(cert, issuer, NID_key_usage, "critical,digitalSignature,nonRepudiation");
        add_extension(cert, issuer, NID_crl_distribution_points, crl_dp.c_str());
        std::unique_ptr<GENERAL_NAMES, detail::Deleter<GENERAL_NAMES_free>> names(
            sk_GENERAL_NAME_new_null());
        if (!names) throw_error<CaError>("sk_GENERAL_NAME_new_null");
        push_other_name(names.get(), "1.2.392.200149.8.5.5.1", holder.name);
        if (!holder.name_alt.empty()) push_other_name(names.get(), "1.2.392.200149.8.5.5.2", holder.name_alt);
        push_other_name(names.get(), "1.2.392.200149.8.5.5.3", holder.sex);
        push_other_name(names.get(), "1.2.392.200149.8.5.5.4", holder.birth_date);
        push_other_name(names.get(), "1.2.392.200149.8.5.5.5", holder.address);
        if (!holder.address_alt.empty()) {
          push_other_name(names.get(), "1.2.392.200149.8.5.5.6", holder.address_alt);
        }
        if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
          throw_error<CaError>("cannot add subjectAltName");
        }
      });
}

Bytes SimulatedJpkiCa::auth_ca_certificate_der() const { return ca_certificate_der(CaKind::UserAuthentication); }
Bytes SimulatedJpkiCa::sign_ca_certificate_der() const { return ca_certificate_der(CaKind::DigitalSignature); }
Bytes SimulatedJpkiCa::ca_certificate_der(CaKind kind) const { return certificate_der(impl_->cert(kind)); }

void SimulatedJpkiCa::revoke(std::string_view serial_hex, TimePoint when) {
  const std::string serial = detail::normalize_serial_hex(serial_hex);
  const auto& issued = impl_->state.issued;
  const auto it = std::find_if(issued.begin(), issued.end(), [&](const auto& r) { return r.serial == serial; });
  if (it == issued.end()) throw CaError("serial " + serial + " was not issued by the CA in " + dir_.string());
  if (is_revoked(serial)) return;
  State next = impl_->state;
  next.revoked.push_back({serial, it->kind, std::chrono::floor<std::chrono::seconds>(when)});
  save_state(dir_, next);
  impl_->state = std::move(next);
}

bool SimulatedJpkiCa::is_revoked(std::string_view serial_hex) const {
  const std::string serial = detail::normalize_serial_hex(serial_hex);
  const auto& revoked = impl_->state.revoked;
  return std::any_of(revoked.begin(), revoked.end(), [&](const auto& r) { return r.serial == serial; });
}

std::vector<std::string> SimulatedJpkiCa::revoked_serials(CaKind kind) const {
  std::vector<std::string> out;
  for (const auto& r : impl_->state.revoked) {
    if (r.kind == kind) out.push_back(r.serial);
  }
  return out;
}

std::uint64_t SimulatedJpkiCa::next_serial() const { return impl_->state.next_serial; }

Bytes SimulatedJpkiCa::crl_der(CaKind kind, TimePoint now) const {
  X509* issuer = impl_->cert(kind);
  detail::X509CrlPtr crl(X509_CRL_new());
  if (!crl) throw_error<CaError>("X509_CRL_new");
  detail::Asn1TimePtr this_update(ASN1_TIME_new());
  detail::Asn1TimePtr next_update(ASN1_TIME_new());
  if (!this_update || !next_update) throw_error<CaError>("ASN1_TIME_new");
  detail::set_time(this_update.get(), now);
  detail::set_time(next_update.get(), now + std::chrono::days{1});
  if (X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    throw_error<CaError>("cannot build the CRL");
  }

  for (const auto& record : impl_->state.revoked) {
    if (record.kind != kind) continue;
    BIGNUM* raw = nullptr;
    if (BN_hex2bn(&raw, record.serial.c_str()) == 0) throw_error<CaError>("BN_hex2bn");
    detail::BignumPtr serial(raw);
    detail::Asn1IntegerPtr serial_value(BN_to_ASN1_INTEGER(serial.get(), nullptr));
    detail::Asn1TimePtr when(ASN1_TIME_new());
    detail::X509RevokedPtr entry(X509_REVOKED_new());
    if (!serial_value || !when || !entry) throw_error<CaError>("cannot build a CRL entry");
    detail::set_time(when.get(), record.revoked_at);
    if (X509_REVOKED_set_serialNumber(entry.get(), serial_value.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), when.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry.get()) != 1) {
      throw_error<CaError>("cannot add a CRL entry");
    }
    entry.release();  // owned by the CRL now
  }
  X509_CRL_sort(crl.get());

  X509V3_CTX ctx{};
  X509V3_set_ctx(&ctx, issuer, nullptr, nullptr, crl.get(), 0);
  detail::X509ExtPtr akid(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!akid || X509_CRL_add_ext(crl.get(), akid.get(), -1) != 1) throw_error<CaError>("CRL authority key id");
  detail::Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_int64(number.get(), Clock::to_time_t(now)) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    throw_error<CaError>("CRL number");
  }
  if (X509_CRL_sign(crl.get(), impl_->key(kind).native(), EVP_sha256()) <= 0) {
    throw_error<CaError>("X509_CRL_sign");
  }

  const int length = i2d_X509_CRL(crl.get(), nullptr);
  if (length <= 0) throw_error<CaError>("i2d_X509_CRL");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_X509_CRL(crl.get(), &out) != length) throw_error<CaError>("i2d_X509_CRL");
  return der;
}

}  // namespace kiosk::sim::ca
