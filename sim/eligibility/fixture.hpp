// The fixture file QA engineers edit: the people the simulated service knows, their cards,
// qualifications, 資格確認書, consents and revoked certificates (JSON, format
// "kiosk-eligibility-fixture" version 1; documented in docs/eligibility-protocol.md §7).
// Paths in the file are relative to the file's folder.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/eligibility/records.hpp"

namespace kiosk::sim::eligibility {

// The fixture does not parse or breaks a rule; the message names the place
// ("people[1].qualifications[0].filed_on: not a YYYY-MM-DD date").
class FixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FixturePerson {
  PersonRecord person;
  std::vector<CardRecord> cards;
  std::vector<QualificationRecord> qualifications;
  std::vector<ConsentRecord> consents;
};

struct Fixture {
  std::filesystem::path base_dir;                  // the folder the file was read from
  std::optional<std::filesystem::path> jpki_ca;    // folder of the simulated JPKI CA (auth-ca.pem, auth.crl)
  std::vector<FixturePerson> people;
  std::vector<RevocationRecord> revocations;

  static Fixture load(const std::filesystem::path& file);
  // `base_dir` resolves relative paths (card files, certificates, the CA folder).
  static Fixture parse(const std::string& json_text, const std::filesystem::path& base_dir);
};

struct SampleFixtureOptions {
  std::filesystem::path fixture_dir;                // where the fixture will be written
  std::filesystem::path jpki_ca;                    // the simulated JPKI CA folder
  std::vector<std::filesystem::path> card_files;    // card files (kiosk-sim card issue) to give people
  Date today{};                                     // the sample's "recent filing" is relative to it
};

// A sample fixture: one insured person per card file (the first valid and registered, further
// ones showing other cases: not registered, linkage under review, lost qualification, a
// qualification filed 2 business days ago), and people for the number path (valid and expired
// 資格確認書, an old qualification with a newer one, twins without branch number, an old
// health insurance card). Returns the JSON text.
std::string sample_fixture(const SampleFixtureOptions& options);

}  // namespace kiosk::sim::eligibility
