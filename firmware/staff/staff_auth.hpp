// Staff authentication at the kiosk: passcodes of the configured staff accounts, a lockout after
// repeated failures, and short staff sessions (the kiosk screen's staff pages use them).
//
// Stored passcode format (the `staff.accounts[].passcode_hash` of the configuration, made by
// `kiosk staff-passcode`): "pbkdf2-sha256$<iterations>$<salt, hex>$<derived key, hex>", PBKDF2 with
// HMAC-SHA-256 (OpenSSL PKCS5_PBKDF2_HMAC), 16-byte random salt, 32-byte key; compared in
// constant time (CRYPTO_memcmp). Passcodes only ever live in core::card::Secret.
//
// Passcodes are 6 to 32 digits (the staff pad has only digits).
//
// Lockout, counted per staff id (every unknown id shares one count) and over all ids:
// - `max_failures` wrong passcodes in a row for one id lock that id for `lockout`; only a good
//   passcode for that same id resets its count (another id's login does not);
// - kAllIdsFailureFactor x `max_failures` wrong passcodes within `lockout`, whatever the ids,
//   lock every staff login for `lockout`; good logins do not reset that count, time does.
// Each attempt is counted as a failure under the lock before its PBKDF2 runs and given back only
// if the passcode was right, so parallel attempts never get more evaluations than the limits,
// and nobody logs in while a lock is in force. Every login, failure, lockout and logout is
// journaled (kind "staff") with the staff id as configured, never the passcode.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/card/secret.hpp"
#include "core/journal/journal.hpp"

namespace kiosk::firmware::staff {

inline constexpr int kDefaultPasscodeIterations = 600'000;  // OWASP 2023 for PBKDF2-HMAC-SHA256
inline constexpr int kMinPasscodeIterations = 1'000;
inline constexpr int kMaxPasscodeIterations = 10'000'000;
inline constexpr std::size_t kMinPasscodeDigits = 6;
inline constexpr std::size_t kMaxPasscodeDigits = 32;
inline constexpr int kAllIdsFailureFactor = 3;

// Why `passcode` cannot be a staff passcode (not 6 to 32 digits), or nullopt.
std::optional<std::string> passcode_problem(const core::card::Secret& passcode);

// The stored form of `passcode` with a fresh random salt. Throws std::invalid_argument for a
// passcode_problem() or an iteration count outside [kMin, kMax]; core::crypto::CryptoError if
// OpenSSL fails.
std::string hash_passcode(const core::card::Secret& passcode, int iterations = kDefaultPasscodeIterations);

// Whether `stored` is a well-formed passcode hash; the reason when not (for configuration errors).
std::optional<std::string> passcode_hash_problem(std::string_view stored);

// True when `passcode` matches `stored`; false for a malformed `stored` as well.
bool verify_passcode(const core::card::Secret& passcode, std::string_view stored);

struct StaffAccount {
  std::string id;             // shown in the journal ("staff-07"); no personal names needed
  std::string passcode_hash;  // hash_passcode()
};

struct StaffPolicy {
  int max_failures = 5;                       // wrong passcodes in a row before the lockout
  std::chrono::seconds lockout{15 * 60};      // how long logins are refused after that
  std::chrono::seconds session{5 * 60};       // a staff session ends this long after its last action
  std::chrono::seconds session_max{12 * 60 * 60};  // and this long after login, however active
  std::chrono::seconds visual_check{30 * 60};  // how long visual-check mode stays on
};

using StaffJournal = std::function<void(const core::journal::Entry&)>;

// Staff entries appended to `journal` at the wall-clock time; an entry that cannot be written is
// reported on standard error (the staff action itself goes on).
StaffJournal journal_into(core::journal::Journal& journal);

// The simulator's staff account (like its demo PINs): "staff-01", passcode "246813".
inline constexpr const char* kDemoStaffId = "staff-01";
inline constexpr const char* kDemoStaffPasscode = "246813";
std::vector<StaffAccount> demo_staff_accounts();

class StaffAuthenticator {
 public:
  using Clock = std::chrono::steady_clock;

  // `journal` receives the staff entries (may be empty: not journaled, for tests).
  StaffAuthenticator(std::vector<StaffAccount> accounts, StaffPolicy policy, StaffJournal journal = {});

  enum class Outcome { LoggedIn, Wrong, LockedOut, NoAccounts };
  struct Login {
    Outcome outcome = Outcome::Wrong;
    std::string token;                 // LoggedIn: the session token (give it to the browser only)
    std::chrono::seconds retry_after{0};  // LockedOut: how long until logins are taken again
  };

  // Thread-safe. Takes as long for an unknown staff id as for a known one.
  Login login(std::string_view staff_id, const core::card::Secret& passcode, Clock::time_point now);
  // The passcode of a live session's staff member typed again (for a visual-check confirmation):
  // counted and locked out as logins are (a lockout also ends the session). LoggedIn: confirmed;
  // Wrong also for an unknown or ended session. Thread-safe.
  Login reconfirm(std::string_view token, const core::card::Secret& passcode, Clock::time_point now);
  // The configured staff ids, in configuration order (the staff page's login list).
  std::vector<std::string> account_ids() const;
  // The staff id of a live session, or nullopt (unknown, ended or expired token). An `action`
  // (a tap on the staff page, a switch, a confirmation; not the page's own polling) keeps the
  // session `policy().session` longer from `now`, up to `policy().session_max` after login.
  enum class Use { Poll, Action };
  std::optional<std::string> session(std::string_view token, Clock::time_point now, Use use = Use::Poll);
  // When the session ends (nullopt: no such session).
  std::optional<Clock::time_point> session_expiry(std::string_view token, Clock::time_point now);
  void logout(std::string_view token, Clock::time_point now);

  const StaffPolicy& policy() const noexcept { return policy_; }
  bool configured() const noexcept { return !accounts_.empty(); }

 private:
  struct Session {
    std::string staff_id;
    Clock::time_point expires;     // idle end: the last action + policy_.session
    Clock::time_point ends_by;     // login + policy_.session_max
  };
  // Wrong passcodes in a row for one id (attempts in flight counted), and its lock.
  struct IdAttempts {
    int failures = 0;
    int in_flight = 0;  // attempts counted in `failures` whose PBKDF2 is still running
    std::optional<Clock::time_point> locked_until;
  };
  // What login() counted for an attempt before its PBKDF2 ran.
  struct Reservation {
    std::uint64_t number = 0;
    bool locked_id = false;   // this attempt's count locked the id
    bool locked_all = false;  // this attempt's count locked every id
  };
  void journal(std::string event, std::string outcome) const;
  // The passcode check of login() and reconfirm(), counted against the lockouts; LoggedIn: matched.
  Login counted_check(std::string_view staff_id, const core::card::Secret& passcode, Clock::time_point now,
                      std::string_view what);
  void drop_expired(Clock::time_point now);
  static std::string token_key(std::string_view token);
  // Under mutex_: the lock in force for `key` (the later end of its own and the all-ids lock).
  std::optional<Clock::time_point> lock_in_force(const std::string& key, Clock::time_point now);
  Reservation reserve(const std::string& key, Clock::time_point now);
  void give_back(const std::string& key, const Reservation& r);

  std::vector<StaffAccount> accounts_;
  StaffPolicy policy_;
  StaffJournal journal_;
  std::string dummy_hash_;  // verified for unknown ids, so their answer takes as long

  std::mutex mutex_;
  std::map<std::string, IdAttempts> by_id_;  // configured ids, and "" for every unknown id
  // Failures (attempts in flight counted) of every id within the last `lockout`: number, time.
  std::map<std::uint64_t, Clock::time_point> recent_failures_;
  std::uint64_t next_attempt_ = 1;
  std::optional<Clock::time_point> all_locked_until_;
  std::map<std::string, Session> sessions_;  // by SHA-256 of the token
};

}  // namespace kiosk::firmware::staff
