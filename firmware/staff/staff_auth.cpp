#include "firmware/staff/staff_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <stdexcept>
#include <variant>

#include "core/crypto/digest.hpp"
#include "core/crypto/errors.hpp"
#include "hal/bytes.hpp"

namespace kiosk::firmware::staff {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;

struct Parsed {
  int iterations = 0;
  Bytes salt;
  Bytes key;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// The parsed hash, or the reason it is not one.
std::variant<Parsed, std::string> parse(std::string_view stored) {
  const auto parts = split(stored, '$');
  if (parts.size() != 4 || parts[0] != kScheme) {
    return std::string("expected \"pbkdf2-sha256$<iterations>$<salt hex>$<key hex>\" (make one with `kiosk staff-passcode`)");
  }
  Parsed p;
  const auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), p.iterations);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size() || p.iterations < kMinPasscodeIterations ||
      p.iterations > kMaxPasscodeIterations) {
    return "iterations must be a number from " + std::to_string(kMinPasscodeIterations) + " to " +
           std::to_string(kMaxPasscodeIterations);
  }
  try {
    p.salt = from_hex(parts[2]);
    p.key = from_hex(parts[3]);
  } catch (const std::invalid_argument&) {
    return std::string("salt and key must be hex");
  }
  if (p.salt.size() < 8) return std::string("the salt must be at least 8 bytes");
  if (p.key.size() != kKeyBytes) return std::string("the key must be 32 bytes (64 hex digits)");
  return p;
}

Bytes derive(const core::card::Secret& passcode, ByteView salt, int iterations) {
  Bytes key(kKeyBytes);
  const ByteView pass = passcode.bytes();
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(pass.data()), static_cast<int>(pass.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), static_cast<int>(key.size()),
                        key.data()) != 1) {
    throw core::crypto::CryptoError("PBKDF2-HMAC-SHA256 failed in OpenSSL");
  }
  return key;
}

}  // namespace

std::string hash_passcode(const core::card::Secret& passcode, int iterations) {
  if (passcode.empty()) throw std::invalid_argument("the passcode is empty");
  if (iterations < kMinPasscodeIterations || iterations > kMaxPasscodeIterations) {
    throw std::invalid_argument("iterations must be from " + std::to_string(kMinPasscodeIterations) + " to " +
                                std::to_string(kMaxPasscodeIterations));
  }
  const Bytes salt = core::crypto::random_bytes(kSaltBytes);
  const Bytes key = derive(passcode, salt, iterations);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + to_hex(salt, '\0') + "$" + to_hex(key, '\0');
}

std::optional<std::string> passcode_hash_problem(std::string_view stored) {
  auto parsed = parse(stored);
  if (auto* reason = std::get_if<std::string>(&parsed)) return *reason;
  return std::nullopt;
}

bool verify_passcode(const core::card::Secret& passcode, std::string_view stored) {
  const auto parsed = parse(stored);
  const auto* p = std::get_if<Parsed>(&parsed);
  if (p == nullptr || passcode.empty()) return false;
  Bytes key = derive(passcode, p->salt, p->iterations);
  const bool same = CRYPTO_memcmp(key.data(), p->key.data(), kKeyBytes) == 0;
  core::card::secure_wipe(key.data(), key.size());
  return same;
}

StaffJournal journal_into(core::journal::Journal& journal) {
  return [&journal](const core::journal::Entry& entry) {
    try {
      journal.append(entry, std::chrono::system_clock::now());
    } catch (const std::exception& e) {
      std::cerr << "[kiosk] staff journal entry not written: " << e.what() << "\n";
    }
  };
}

std::vector<StaffAccount> demo_staff_accounts() {
  return {StaffAccount{kDemoStaffId, hash_passcode(core::card::Secret(kDemoStaffPasscode), 100'000)}};
}

StaffAuthenticator::StaffAuthenticator(std::vector<StaffAccount> accounts, StaffPolicy policy, StaffJournal journal)
    : accounts_(std::move(accounts)), policy_(policy), journal_(std::move(journal)) {
  int iterations = kDefaultPasscodeIterations;
  for (const auto& a : accounts_) {
    const auto parsed = parse(a.passcode_hash);
    if (const auto* p = std::get_if<Parsed>(&parsed)) iterations = p->iterations;
  }
  // Same cost as a real account: an unknown id answers no faster than a known one.
  dummy_hash_ = hash_passcode(core::card::Secret("unknown-staff-id"), iterations);
}

void StaffAuthenticator::journal(std::string event, std::string outcome) const {
  if (journal_) journal_(core::journal::Entry{"staff", std::move(event), "", std::move(outcome), ""});
}

std::string StaffAuthenticator::token_key(std::string_view token) {
  const auto* data = reinterpret_cast<const Byte*>(token.data());
  return to_hex(core::crypto::sha256(ByteView(data, token.size())), '\0');
}

void StaffAuthenticator::drop_expired(Clock::time_point now) {
  std::erase_if(sessions_, [&](const auto& item) { return item.second.expires <= now; });
}

StaffAuthenticator::Login StaffAuthenticator::login(std::string_view staff_id, const core::card::Secret& passcode,
                                                     Clock::time_point now) {
  const auto account = std::find_if(accounts_.begin(), accounts_.end(), [&](const StaffAccount& a) { return a.id == staff_id; });
  // Only a configured id goes into the journal: a passcode typed into the id field must not.
  const std::string who = account != accounts_.end() ? account->id : std::string("(unknown id)");
  {
    const std::lock_guard lock(mutex_);
    if (accounts_.empty()) return {Outcome::NoAccounts, {}, {}};
    if (locked_until_ && now < *locked_until_) {
      journal("staff-login-refused", "locked out; staff " + who);
      return {Outcome::LockedOut, {}, std::chrono::ceil<std::chrono::seconds>(*locked_until_ - now)};
    }
  }
  // Outside the lock: PBKDF2 takes a while.
  const bool matched = account != accounts_.end() ? verify_passcode(passcode, account->passcode_hash)
                                                  : (verify_passcode(passcode, dummy_hash_), false);
  const std::lock_guard lock(mutex_);
  drop_expired(now);
  if (!matched) {
    ++failures_;
    journal("staff-login-failed", "wrong staff id or passcode; staff " + who + "; failure " + std::to_string(failures_) +
                                      " of " + std::to_string(policy_.max_failures));
    if (failures_ >= policy_.max_failures) {
      failures_ = 0;
      locked_until_ = now + policy_.lockout;
      journal("staff-locked-out", "staff logins refused for " + std::to_string(policy_.lockout.count() / 60) + " min");
      return {Outcome::LockedOut, {}, policy_.lockout};
    }
    return {Outcome::Wrong, {}, {}};
  }
  failures_ = 0;
  locked_until_.reset();
  const std::string token = to_hex(core::crypto::random_bytes(32), '\0');
  sessions_[token_key(token)] = Session{account->id, now + policy_.session};
  journal("staff-login", "staff " + account->id);
  return {Outcome::LoggedIn, token, {}};
}

std::optional<std::string> StaffAuthenticator::session(std::string_view token, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  drop_expired(now);
  if (token.empty()) return std::nullopt;
  const auto it = sessions_.find(token_key(token));
  if (it == sessions_.end()) return std::nullopt;
  return it->second.staff_id;
}

std::optional<StaffAuthenticator::Clock::time_point> StaffAuthenticator::session_expiry(std::string_view token,
                                                                                         Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  drop_expired(now);
  const auto it = sessions_.find(token_key(token));
  if (it == sessions_.end()) return std::nullopt;
  return it->second.expires;
}

void StaffAuthenticator::logout(std::string_view token, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  drop_expired(now);
  const auto it = sessions_.find(token_key(token));
  if (it == sessions_.end()) return;
  journal("staff-logout", "staff " + it->second.staff_id);
  sessions_.erase(it);
}

}  // namespace kiosk::firmware::staff
