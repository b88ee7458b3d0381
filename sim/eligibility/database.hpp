// The simulated service's SQLite database: the world from the fixture (people, cards,
// registrations for insurance use, qualifications, 資格確認書, consents, revocations), what the
// service records at run time (registrations, consents), an append-only audit table, and the
// stored answers of requests with a request id (idempotent retries). Schema in
// docs/eligibility-protocol.md §7. Not thread-safe: the service serialises access.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/eligibility/fixture.hpp"
#include "sim/eligibility/records.hpp"
#include "sim/eligibility/rules.hpp"
#include "sim/eligibility/sqlite.hpp"

namespace kiosk::sim::eligibility {

struct AuditEntry {
  std::int64_t id = 0;
  TimePoint at{};
  std::string terminal;                  // subject of the terminal's TLS certificate
  std::string medical_institution_code;  // from that certificate
  std::string operation;                 // challenge, confirm, register, consent, lookup
  std::string method;                    // pin, face, visual, numbers
  std::string card_sha256;               // the card certificate's hash (no My Number exists here)
  std::string person;                    // fixture id
  std::string outcome;                   // ok, refused, error
  std::string code;                      // error or ProcessingResultCode
  std::string detail;
};

class EligibilityDatabase {
 public:
  // ":memory:" or a file. Creates the schema when missing.
  explicit EligibilityDatabase(const std::string& path);

  // Replaces the world tables with the fixture (one transaction; the audit table is kept).
  void load(const Fixture& fixture);
  void add_revocations(const std::vector<RevocationRecord>& revocations);

  std::optional<CardRecord> card_by_certificate(const std::string& sha256);
  std::optional<PersonRecord> person(std::int64_t id);
  std::vector<QualificationRecord> qualifications_of(std::int64_t person_id);
  // People holding a qualification with these numbers (any branch), with all their qualifications.
  std::vector<Candidate> candidates(const std::string& insurer_number, const std::string& symbol, const std::string& number);
  std::optional<RevocationRecord> revocation(const std::string& issuer, const std::string& serial);

  void register_insurance_use(std::int64_t person_id, Date on, const std::string& via);
  void record_consent(const ConsentRecord& consent);
  // The newest consent of the person at that institution that is still available at `now`.
  std::optional<ConsentRecord> current_consent(std::int64_t person_id, const std::string& medical_institution_code,
                                               TimePoint now);

  // Idempotency: the stored answer of an earlier request with this id from this terminal.
  struct StoredAnswer {
    std::string operation;
    int status = 200;
    std::string body;
  };
  std::optional<StoredAnswer> stored_answer(const std::string& terminal, const std::string& request_id);
  void store_answer(const std::string& terminal, const std::string& request_id, const StoredAnswer& answer, TimePoint at);
  // Forgets the terminal's answers stored before `stored_before`, and all but its newest `keep`.
  // A kiosk repeats a request only within its operation's deadline (seconds): kept for ever, the
  // answers (a whole result each, ~2 KB) grew the database with every reception.
  void forget_answers(const std::string& terminal, TimePoint stored_before, std::size_t keep);

  void audit(const AuditEntry& entry);
  // The last `count` audit entries, oldest first.
  std::vector<AuditEntry> audit_tail(std::size_t count);

  template <typename F>
  auto transaction(F f) {
    return db_.transaction(std::move(f));
  }

 private:
  Connection db_;
};

}  // namespace kiosk::sim::eligibility
