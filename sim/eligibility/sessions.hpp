// The service's short-lived state, in memory: challenge nonces (single use, bound to the
// terminal that asked, with an expiry), registration tickets (single use) and confirmation
// sessions (what a consent refers to). A restart of the service forgets them: kiosks then get
// NONCE_UNKNOWN / CONFIRMATION_UNKNOWN and start the round again. Thread-safe.
//
// Bounded by count as well as by time, per terminal: at most `max_outstanding_per_terminal`
// unused nonces (more are refused) and as many nonces in all, used ones included (the oldest is
// forgotten: a replay of it is then NONCE_UNKNOWN instead of NONCE_REPLAYED, refused either way),
// and at most `max_sessions_per_terminal` confirmation sessions (the oldest is dropped). With
// lifetimes alone, a terminal holds whatever it asked for in a lifetime, however fast it asks.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "hal/bytes.hpp"
#include "sim/eligibility/records.hpp"
#include "sim/eligibility/rules.hpp"

namespace kiosk::sim::eligibility {

class SessionStore {
 public:
  SessionStore(std::chrono::seconds nonce_lifetime, std::chrono::seconds session_lifetime,
               std::size_t max_outstanding_per_terminal, std::size_t max_sessions_per_terminal);

  struct IssuedNonce {
    Bytes nonce;  // 32 random bytes
    TimePoint expires_at{};
  };
  // Nothing when the terminal already holds too many unused, unexpired nonces.
  std::optional<IssuedNonce> issue_nonce(const std::string& terminal, TimePoint now);

  enum class NonceUse { Fresh, Unknown, Expired, Replayed };
  // Marks the nonce used (whatever happens next: a bad signature burns it too). A nonce issued
  // to another terminal is Unknown to this one.
  NonceUse consume_nonce(const std::string& terminal, ByteView nonce, TimePoint now);

  struct Ticket {
    std::string terminal;
    std::string card_sha256;
    std::int64_t person_id = 0;
    std::string method;
    CertificateDates certificate;
    TimePoint expires_at{};
  };
  std::string create_ticket(Ticket ticket);
  std::optional<Ticket> ticket(const std::string& id, const std::string& terminal, TimePoint now);
  void remove_ticket(const std::string& id);

  struct Session {
    std::string terminal;
    std::string card_sha256;
    std::int64_t person_id = 0;
    std::string method;
    CertificateDates certificate;
    std::optional<int> prescription;
    TimePoint expires_at{};
  };
  // Drops the terminal's oldest session when it holds more than `max_sessions_per_terminal`: a
  // kiosk has one reception at a time, so its sessions that old are of receptions long over.
  std::string create_session(Session session);
  std::optional<Session> session(const std::string& id, const std::string& terminal, TimePoint now);
  void set_prescription(const std::string& id, int prescription);

  std::chrono::seconds nonce_lifetime() const { return nonce_lifetime_; }
  std::chrono::seconds session_lifetime() const { return session_lifetime_; }

 private:
  struct NonceState {
    std::string terminal;
    TimePoint expires_at{};
    bool used = false;
  };
  struct TerminalNonces {
    // Oldest first: the order of issue is the order of expiry (one lifetime for all).
    std::deque<std::pair<TimePoint, std::string>> issued;
    std::size_t unused = 0;
  };
  void prune(TimePoint now);
  void forget_expired_nonces(TerminalNonces& mine, TimePoint now);
  void forget_oldest_nonce(TerminalNonces& mine);

  std::chrono::seconds nonce_lifetime_;
  std::chrono::seconds session_lifetime_;
  std::size_t max_outstanding_;
  std::size_t max_sessions_;
  std::mutex mutex_;
  std::unordered_map<std::string, NonceState> nonces_;
  std::unordered_map<std::string, TerminalNonces> nonces_of_;
  std::unordered_map<std::string, Ticket> tickets_;
  std::unordered_map<std::string, Session> sessions_;
  // Each terminal's session ids in the order they were created, which is their expiry order.
  std::unordered_map<std::string, std::deque<std::string>> sessions_of_;
  std::size_t operations_since_prune_ = 0;
};

// A random identifier: a prefix and 32 hex digits ("c-1f0e...").
std::string random_id(const std::string& prefix);

}  // namespace kiosk::sim::eligibility
