#include "sim/eligibility/sessions.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace kiosk::sim::eligibility {

namespace {
constexpr std::size_t kNonceSize = 32;
constexpr std::size_t kPruneEvery = 512;

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string key_of(ByteView nonce) { return std::string(nonce.begin(), nonce.end()); }
}  // namespace

std::string random_id(const std::string& prefix) {
  std::string hex = to_hex(random_bytes(16), '\0');
  std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
  return prefix + hex;
}

SessionStore::SessionStore(std::chrono::seconds nonce_lifetime, std::chrono::seconds session_lifetime,
                           std::size_t max_outstanding_per_terminal)
    : nonce_lifetime_(nonce_lifetime), session_lifetime_(session_lifetime), max_outstanding_(max_outstanding_per_terminal) {}

void SessionStore::prune(TimePoint now) {
  // Expired nonces leave in issue order: O(1) per nonce.
  while (!nonce_expiry_.empty() && nonce_expiry_.front().first <= now) {
    const auto it = nonces_.find(nonce_expiry_.front().second);
    if (it != nonces_.end()) {
      if (!it->second.used) {
        auto& count = outstanding_[it->second.terminal];
        if (count > 0) --count;
      }
      nonces_.erase(it);
    }
    nonce_expiry_.pop_front();
  }
  if (++operations_since_prune_ < kPruneEvery) return;
  operations_since_prune_ = 0;
  std::erase_if(tickets_, [&](const auto& entry) { return entry.second.expires_at <= now; });
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires_at <= now; });
}

std::optional<SessionStore::IssuedNonce> SessionStore::issue_nonce(const std::string& terminal, TimePoint now) {
  std::lock_guard lock(mutex_);
  prune(now);
  auto& count = outstanding_[terminal];
  if (count >= max_outstanding_) return std::nullopt;
  IssuedNonce issued{random_bytes(kNonceSize), now + nonce_lifetime_};
  nonces_.emplace(key_of(issued.nonce), NonceState{terminal, issued.expires_at, false});
  nonce_expiry_.emplace_back(issued.expires_at, key_of(issued.nonce));
  ++count;
  return issued;
}

SessionStore::NonceUse SessionStore::consume_nonce(const std::string& terminal, ByteView nonce, TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto it = nonces_.find(key_of(nonce));
  if (it == nonces_.end() || it->second.terminal != terminal) return NonceUse::Unknown;
  if (it->second.used) return NonceUse::Replayed;
  it->second.used = true;
  auto& count = outstanding_[terminal];
  if (count > 0) --count;
  if (it->second.expires_at <= now) return NonceUse::Expired;
  return NonceUse::Fresh;
}

std::string SessionStore::create_ticket(Ticket ticket) {
  std::lock_guard lock(mutex_);
  std::string id = random_id("t-");
  tickets_.emplace(id, std::move(ticket));
  return id;
}

std::optional<SessionStore::Ticket> SessionStore::ticket(const std::string& id, const std::string& terminal, TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto it = tickets_.find(id);
  if (it == tickets_.end() || it->second.terminal != terminal || it->second.expires_at <= now) return std::nullopt;
  return it->second;
}

void SessionStore::remove_ticket(const std::string& id) {
  std::lock_guard lock(mutex_);
  tickets_.erase(id);
}

std::string SessionStore::create_session(Session session) {
  std::lock_guard lock(mutex_);
  prune(session.expires_at - session_lifetime_);
  std::string id = random_id("c-");
  sessions_.emplace(id, std::move(session));
  return id;
}

std::optional<SessionStore::Session> SessionStore::session(const std::string& id, const std::string& terminal, TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.terminal != terminal || it->second.expires_at <= now) return std::nullopt;
  return it->second;
}

void SessionStore::set_prescription(const std::string& id, int prescription) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second.prescription = prescription;
}

}  // namespace kiosk::sim::eligibility
