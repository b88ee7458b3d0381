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

std::optional<std::string> passcode_problem(const core::card::Secret& passcode) {
  const ByteView digits = passcode.bytes();
  if (digits.size() < kMinPasscodeDigits || digits.size() > kMaxPasscodeDigits ||
      !std::all_of(digits.begin(), digits.end(), [](Byte b) { return b >= '0' && b <= '9'; })) {
    return "a staff passcode is " + std::to_string(kMinPasscodeDigits) + " to " + std::to_string(kMaxPasscodeDigits) +
           " digits";
  }
  return std::nullopt;
}

std::string hash_passcode(const core::card::Secret& passcode, int iterations) {
  if (const auto problem = passcode_problem(passcode)) throw std::invalid_argument(*problem);
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
  dummy_hash_ = hash_passcode(core::card::Secret("000000000000"), iterations);
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

std::optional<StaffAuthenticator::Clock::time_point> StaffAuthenticator::lock_in_force(const std::string& key,
                                                                                        Clock::time_point now) {
  if (all_locked_until_ && now >= *all_locked_until_) all_locked_until_.reset();
  IdAttempts& id = by_id_[key];
  if (id.locked_until && now >= *id.locked_until) {  // served: counting starts again
    id.failures = id.in_flight;
    id.locked_until.reset();
  }
  if (!all_locked_until_) return id.locked_until;
  if (!id.locked_until) return all_locked_until_;
  return std::max(*id.locked_until, *all_locked_until_);
}

StaffAuthenticator::Reservation StaffAuthenticator::reserve(const std::string& key, Clock::time_point now) {
  Reservation r;
  r.number = next_attempt_++;
  IdAttempts& id = by_id_[key];
  ++id.in_flight;
  if (++id.failures >= policy_.max_failures) {
    id.locked_until = now + policy_.lockout;
    r.locked_id = true;
  }
  std::erase_if(recent_failures_, [&](const auto& item) { return item.second + policy_.lockout <= now; });
  recent_failures_.emplace(r.number, now);
  if (static_cast<long long>(recent_failures_.size()) >=
      static_cast<long long>(policy_.max_failures) * kAllIdsFailureFactor) {
    all_locked_until_ = now + policy_.lockout;
    r.locked_all = true;
  }
  return r;
}

void StaffAuthenticator::give_back(const std::string& key, const Reservation& r) {
  // The id's holder proved themselves: its count starts again from the attempts still in flight
  // (they were counted and may yet fail), and its lock goes unless those alone make one.
  IdAttempts& id = by_id_[key];
  id.failures = id.in_flight;
  if (id.failures < policy_.max_failures) id.locked_until.reset();
  recent_failures_.erase(r.number);
  if (r.locked_all) all_locked_until_.reset();  // it was this attempt's count, not a failure
}

StaffAuthenticator::Login StaffAuthenticator::counted_check(std::string_view staff_id, const core::card::Secret& passcode,
                                                             Clock::time_point now, std::string_view what) {
  const auto account = std::find_if(accounts_.begin(), accounts_.end(), [&](const StaffAccount& a) { return a.id == staff_id; });
  // Only a configured id goes into the journal: a passcode typed into the id field must not.
  const std::string who = account != accounts_.end() ? account->id : std::string("(unknown id)");
  const std::string key = account != accounts_.end() ? account->id : std::string();
  Reservation reservation;
  {
    const std::lock_guard lock(mutex_);
    if (accounts_.empty()) return {Outcome::NoAccounts, {}, {}};
    if (const auto until = lock_in_force(key, now)) {
      journal("staff-" + std::string(what) + "-refused", "locked out; staff " + who);
      return {Outcome::LockedOut, {}, std::chrono::ceil<std::chrono::seconds>(*until - now)};
    }
    // Counted as a failure before PBKDF2 runs (outside the lock: it takes a while), so that
    // attempts in parallel see it.
    reservation = reserve(key, now);
  }
  bool matched = false;
  try {
    const bool well_formed = !passcode_problem(passcode);
    matched = account != accounts_.end() && well_formed ? verify_passcode(passcode, account->passcode_hash)
                                                        : (verify_passcode(passcode, dummy_hash_), false);
  } catch (const std::exception&) {
    matched = false;  // OpenSSL failed: a failure, as counted
  }
  const std::lock_guard lock(mutex_);
  drop_expired(now);
  --by_id_[key].in_flight;
  if (!matched) {
    journal("staff-" + std::string(what) + "-failed", "wrong staff id or passcode; staff " + who + "; failure " +
                                                         std::to_string(std::min(by_id_[key].failures, policy_.max_failures)) +
                                                         " of " + std::to_string(policy_.max_failures));
    const std::string minutes = std::to_string(policy_.lockout.count() / 60) + " min";
    if (reservation.locked_id) journal("staff-locked-out", "logins of staff " + who + " refused for " + minutes);
    if (reservation.locked_all) journal("staff-locked-out", "every staff login refused for " + minutes);
    if (reservation.locked_id || reservation.locked_all) return {Outcome::LockedOut, {}, policy_.lockout};
    return {Outcome::Wrong, {}, {}};
  }
  give_back(key, reservation);
  return {Outcome::LoggedIn, {}, {}};
}

StaffAuthenticator::Login StaffAuthenticator::login(std::string_view staff_id, const core::card::Secret& passcode,
                                                     Clock::time_point now) {
  Login result = counted_check(staff_id, passcode, now, "login");
  if (result.outcome != Outcome::LoggedIn) return result;
  const std::lock_guard lock(mutex_);
  const std::string token = to_hex(core::crypto::random_bytes(32), '\0');
  sessions_[token_key(token)] =
      Session{std::string(staff_id), std::min(now + policy_.session, now + policy_.session_max), now + policy_.session_max};
  journal("staff-login", "staff " + std::string(staff_id));
  result.token = token;
  return result;
}

StaffAuthenticator::Login StaffAuthenticator::reconfirm(std::string_view token, const core::card::Secret& passcode,
                                                         Clock::time_point now) {
  std::string staff_id;
  {
    const std::lock_guard lock(mutex_);
    drop_expired(now);
    const auto it = token.empty() ? sessions_.end() : sessions_.find(token_key(token));
    if (it == sessions_.end()) return {Outcome::Wrong, {}, {}};
    staff_id = it->second.staff_id;
  }
  Login result = counted_check(staff_id, passcode, now, "reconfirm");
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(token_key(token));
  if (result.outcome == Outcome::LoggedIn && it != sessions_.end()) {
    it->second.expires = std::min(now + policy_.session, it->second.ends_by);  // an action
  } else if (result.outcome == Outcome::LockedOut && it != sessions_.end()) {
    journal("staff-logout", "staff " + staff_id + " (locked out while logged in)");
    sessions_.erase(it);  // whoever guesses at an open session's passcode loses the session too
  }
  return result;
}

std::optional<std::string> StaffAuthenticator::session(std::string_view token, Clock::time_point now, Use use) {
  const std::lock_guard lock(mutex_);
  drop_expired(now);
  if (token.empty()) return std::nullopt;
  const auto it = sessions_.find(token_key(token));
  if (it == sessions_.end()) return std::nullopt;
  if (use == Use::Action) it->second.expires = std::min(now + policy_.session, it->second.ends_by);
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

std::vector<std::string> StaffAuthenticator::account_ids() const {
  std::vector<std::string> ids;
  for (const auto& a : accounts_) ids.push_back(a.id);
  return ids;
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
