// The state the simulated service's endpoints share, and the checks more than one of them makes:
// the database (with its lock), the JPKI chain verifier, the challenge/session store, the cache
// of parsed card certificates, the counters; the card certificate and attestation checks and the
// card-path answer. One file per endpoint implements the handlers declared here.
#pragma once

#include <httplib.h>

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "sim/eligibility/card_face_proof_check.hpp"
#include "sim/eligibility/database.hpp"
#include "sim/eligibility/jpki_verifier.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/rules.hpp"
#include "sim/eligibility/service.hpp"
#include "sim/eligibility/service_api.hpp"
#include "sim/eligibility/sessions.hpp"

namespace kiosk::sim::eligibility {

// A bounded least-recently-used map, thread-safe.
template <typename Value>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const Value> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.second);
    return it->second.first;
  }
  void insert(const std::string& key, std::shared_ptr<const Value> value) {
    if (capacity_ == 0) return;
    std::lock_guard lock(mutex_);
    if (map_.contains(key)) return;
    order_.push_front(key);
    map_.emplace(key, std::make_pair(std::move(value), order_.begin()));
    if (map_.size() > capacity_) {
      map_.erase(order_.back());
      order_.pop_back();
    }
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::list<std::string> order_;
  std::unordered_map<std::string, std::pair<std::shared_ptr<const Value>, std::list<std::string>::iterator>> map_;
};

// What never changes about a certificate: its parse, facts and chain verdict (the anchors are
// fixed for the service's life). Revocation and dates are judged on every request.
struct ParsedCertificate {
  std::shared_ptr<X509> cert;
  CertificateInfo info;
  JpkiVerifier::ChainCheck chain;
};

struct ServiceCore {
  ServiceCore(ServiceOptions o, const Fixture& fixture);
  TimePoint now() const { return options.clock(); }

  ServiceOptions options;
  EligibilityDatabase db;
  std::mutex db_mutex;
  JpkiVerifier verifier;
  CardFaceProofChecker card_face_checker;  // a face confirmation stands only on a genuine card
  SessionStore sessions;
  LruCache<ParsedCertificate> certificate_cache{options.certificate_cache_size};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> confirmations{0};
  std::atomic<std::uint64_t> refusals{0};
};

// An endpoint: the request of a terminal, the service's time, and the audit entry it fills.
using Handler = Reply (*)(ServiceCore&, const httplib::Request&, const Terminal&, TimePoint, AuditEntry&);

Reply health(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit);        // GET /v1/health
Reply challenge(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit);     // POST /v1/challenges
Reply confirm(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit);       // POST /v1/confirmations
Reply registration(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit);  // POST /v1/registrations
Reply consent(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit);       // POST /v1/consents
Reply lookup(ServiceCore& service, const httplib::Request& req, const Terminal& t, TimePoint at, AuditEntry& audit);        // POST /v1/lookups

// The card's user-authentication certificate: chain, revocation and dates.
struct CardCheck {
  CertificateInfo info;
  CertificateDates dates;
  std::shared_ptr<X509> cert;
};
CardCheck check_card_certificate(ServiceCore& service, const Bytes& der, TimePoint at, AuditEntry& audit);

// The terminal's attestation of a face match or a staff visual check (docs/eligibility-protocol.md §4).
void check_attestation(const ServiceCore& service, const Body& body, const Terminal& t, const std::string& method, const Bytes& nonce,
                       const CertificateInfo& card, AuditEntry& audit);

// The card certificate's state as the kiosk shows it, and the notices of the result.
Json certificate_notice(const CertificateDates& d);
std::vector<Notice> certificate_notices(const CertificateDates& d);

// The card-path answer for a registered person (db_mutex held).
Json card_path_reply(ServiceCore& service, const Terminal& t, TimePoint at, const PersonRecord& person, const std::string& card_sha256,
                     const std::string& method, const CertificateDates& dates, std::optional<int> prescription,
                     const std::string& existing_session, AuditEntry& audit);

// A stored answer for a repeated request id, or nothing (db_mutex held).
std::optional<Reply> replay(ServiceCore& service, const Terminal& t, const std::string& request_id, const std::string& operation);
// Stores the answer to a request with a request id, for replay(), and forgets the terminal's
// answers older than a confirmation session (one repeated after that would find its session gone)
// or beyond as many as its sessions (db_mutex held).
void remember(ServiceCore& service, const Terminal& t, const std::string& request_id, const std::string& operation,
              const Reply& reply, TimePoint at);

}  // namespace kiosk::sim::eligibility
