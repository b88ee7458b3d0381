#include "sim/eligibility/sessions.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <iterator>
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
                           std::size_t max_outstanding_per_terminal, std::size_t max_sessions_per_terminal)
    : nonce_lifetime_(nonce_lifetime),
      session_lifetime_(session_lifetime),
      max_outstanding_(max_outstanding_per_terminal),
      max_sessions_(std::max<std::size_t>(max_sessions_per_terminal, 1)) {}  // at least the one just made

void SessionStore::forget_oldest_nonce(TerminalNonces& mine) {
  const auto it = nonces_.find(mine.issued.front().second);
  if (it != nonces_.end()) {
    if (!it->second.used && mine.unused > 0) --mine.unused;
    nonces_.erase(it);
  }
  mine.issued.pop_front();
}

void SessionStore::forget_expired_nonces(TerminalNonces& mine, TimePoint now) {
  // In issue order: O(1) per nonce.
  while (!mine.issued.empty() && mine.issued.front().first <= now) forget_oldest_nonce(mine);
}

void SessionStore::prune(TimePoint now) {
  if (++operations_since_prune_ < kPruneEvery) return;
  operations_since_prune_ = 0;
  // The terminals that stopped asking (the others forget theirs as they ask).
  for (auto it = nonces_of_.begin(); it != nonces_of_.end();) {
    forget_expired_nonces(it->second, now);
    it = it->second.issued.empty() ? nonces_of_.erase(it) : std::next(it);
  }
  std::erase_if(tickets_, [&](const auto& entry) { return entry.second.expires_at <= now; });
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires_at <= now; });
  // The expired sessions are at the front of their terminal's list.
  for (auto it = sessions_of_.begin(); it != sessions_of_.end();) {
    auto& ids = it->second;
    while (!ids.empty() && !sessions_.contains(ids.front())) ids.pop_front();
    it = ids.empty() ? sessions_of_.erase(it) : std::next(it);
  }
}

std::optional<SessionStore::IssuedNonce> SessionStore::issue_nonce(const std::string& terminal, TimePoint now) {
  std::lock_guard lock(mutex_);
  prune(now);
  auto& mine = nonces_of_[terminal];
  forget_expired_nonces(mine, now);
  if (mine.unused >= max_outstanding_) return std::nullopt;
  IssuedNonce issued{random_bytes(kNonceSize), now + nonce_lifetime_};
  nonces_.emplace(key_of(issued.nonce), NonceState{terminal, issued.expires_at, false});
  mine.issued.emplace_back(issued.expires_at, key_of(issued.nonce));
  ++mine.unused;
  // Used nonces are kept only to answer a replay with NONCE_REPLAYED: the count bounds them too.
  while (mine.issued.size() > max_outstanding_) forget_oldest_nonce(mine);
  return issued;
}

SessionStore::NonceUse SessionStore::consume_nonce(const std::string& terminal, ByteView nonce, TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto it = nonces_.find(key_of(nonce));
  if (it == nonces_.end() || it->second.terminal != terminal) return NonceUse::Unknown;
  if (it->second.used) return NonceUse::Replayed;
  it->second.used = true;
  auto& count = nonces_of_[terminal].unused;
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
  auto& ids = sessions_of_[session.terminal];
  sessions_.emplace(id, std::move(session));
  ids.push_back(id);
  while (ids.size() > max_sessions_) {
    sessions_.erase(ids.front());
    ids.pop_front();
  }
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
