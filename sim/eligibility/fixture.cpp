#include "sim/eligibility/fixture.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <tuple>
#include <utility>

#include "hal/calendar.hpp"
#include "sim/ca/asn1_fields.hpp"
#include "sim/card/card_profile.hpp"
#include "sim/eligibility/card_face_proof_check.hpp"
#include "sim/eligibility/japanese_calendar.hpp"
#include "sim/eligibility/jpki_verifier.hpp"

namespace kiosk::sim::eligibility {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kFormat = "kiosk-eligibility-fixture";
constexpr int kVersion = 1;

bool digits_only(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads one JSON object and names the place of every error.
class Reader {
 public:
  Reader(const Json& json, std::string path) : json_(json), path_(std::move(path)) {
    if (!json_.is_object()) fail("is not an object");
  }

  [[noreturn]] void fail(const std::string& what) const { throw FixtureError(path_ + ": " + what); }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw FixtureError(path_ + "." + key + ": " + what);
  }

  bool has(const std::string& key) const {
    const auto it = json_.find(key);
    return it != json_.end() && !it->is_null();
  }
  std::string text(const std::string& key, const std::string& fallback = "") const {
    if (!has(key)) return fallback;
    const Json& v = json_.at(key);
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
  }
  std::string required_text(const std::string& key) const {
    if (!has(key)) fail(key, "is required");
    const std::string v = text(key);
    if (v.empty()) fail(key, "must not be empty");
    return v;
  }
  bool flag(const std::string& key, bool fallback = false) const {
    if (!has(key)) return fallback;
    const Json& v = json_.at(key);
    if (!v.is_boolean()) fail(key, "must be true or false");
    return v.get<bool>();
  }
  std::optional<Date> date(const std::string& key) const {
    if (!has(key)) return std::nullopt;
    const auto d = hal::calendar::parse_iso_date(text(key));
    if (!d) fail(key, "not a YYYY-MM-DD date: '" + text(key) + "'");
    return d;
  }
  Date required_date(const std::string& key) const {
    if (!has(key)) fail(key, "is required");
    return *date(key);
  }
  TimePoint instant(const std::string& key) const {
    const std::string t = required_text(key);
    auto bad = [&] { fail(key, "not a YYYY-MM-DDTHH:MM:SSZ time: '" + t + "'"); };
    if (t.size() != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') bad();
    const auto d = hal::calendar::parse_iso_date(t.substr(0, 10));
    if (!d) bad();
    auto two = [&](std::size_t pos) {
      if (!digits_only(t.substr(pos, 2))) bad();
      return (t[pos] - '0') * 10 + (t[pos + 1] - '0');
    };
    const int h = two(11), m = two(14), s = two(17);
    if (h > 23 || m > 59 || s > 59) bad();
    return std::chrono::sys_days{*d} + std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s};
  }
  // An object whose values are all strings (OQS-named sub-records), or null.
  Json oqs_object(const std::string& key) const {
    if (!has(key)) return nullptr;
    const Json& v = json_.at(key);
    if (!v.is_object()) fail(key, "must be an object of OQS element names");
    for (const auto& [name, value] : v.items()) {
      if (!value.is_string()) fail(key + "." + name, "must be a string");
    }
    return v;
  }
  const Json& array(const std::string& key) const {
    static const Json empty = Json::array();
    if (!has(key)) return empty;
    const Json& v = json_.at(key);
    if (!v.is_array()) fail(key, "must be an array");
    return v;
  }
  const std::string& path() const { return path_; }

 private:
  const Json& json_;
  std::string path_;
};

bool ratio_code(const std::string& s) { return s == "010" || s == "020" || s == "030"; }

// The dates of an OQS-named sub-record (every element whose name ends in "Date") are YYYYMMDD:
// the service compares them with today (a record that ended is not answered).
void check_oqs_dates(const Reader& r, const std::string& key, const Json& record) {
  if (!record.is_object()) return;
  for (const auto& [name, value] : record.items()) {
    if (name.size() < 4 || name.compare(name.size() - 4, 4, "Date") != 0) continue;
    if (!value.is_string() || !hal::calendar::parse_yyyymmdd(value.get<std::string>())) {
      r.fail(key + "." + name, "not a YYYYMMDD date: " + value.dump());
    }
  }
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FixtureError("cannot read the fixture " + file.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

CardRecord card_from(const Reader& r, const fs::path& base_dir) {
  CardRecord card;
  try {
    if (r.has("card_file")) {
      const fs::path file = base_dir / r.text("card_file");
      const sim::card::CardProfile profile = sim::card::CardProfile::load(file);
      auto cert = parse_certificate_der(profile.auth.certificate);
      const CertificateInfo info = describe(cert.get());
      card.certificate_sha256 = info.sha256;
      card.subject = info.subject;
      card.serial = info.serial;
      card.label = r.text("card_file");
      if (profile.card_face) card.card_face_key_sha256 = card_face_key_fingerprint(profile.card_face->record_card_key);
    } else if (r.has("certificate_file")) {
      auto cert = parse_certificate_file(base_dir / r.text("certificate_file"));
      const CertificateInfo info = describe(cert.get());
      card.certificate_sha256 = info.sha256;
      card.subject = info.subject;
      card.serial = info.serial;
      card.label = r.text("certificate_file");
    } else if (r.has("certificate_sha256")) {
      std::string hex = r.text("certificate_sha256");
      std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
      if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
        r.fail("certificate_sha256", "must be 64 hex digits");
      }
      card.certificate_sha256 = hex;
      card.label = "sha256:" + hex.substr(0, 16);
      if (r.has("card_face_key_sha256")) {
        std::string key = r.text("card_face_key_sha256");
        std::transform(key.begin(), key.end(), key.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; });
        if (key.size() != 64 || !std::all_of(key.begin(), key.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
          r.fail("card_face_key_sha256", "must be 64 hex digits");
        }
        card.card_face_key_sha256 = key;
      }
    } else {
      r.fail("needs card_file, certificate_file or certificate_sha256");
    }
  } catch (const FixtureError&) {
    throw;
  } catch (const std::exception& e) {
    r.fail(e.what());
  }
  return card;
}

QualificationRecord qualification_from(const Reader& r) {
  QualificationRecord q;
  q.key = r.required_text("id");
  q.insurer_number = r.required_text("insurer_number");
  if (q.insurer_number.size() == 6 && digits_only(q.insurer_number)) q.insurer_number = "00" + q.insurer_number;
  if (q.insurer_number.size() != 8 || !digits_only(q.insurer_number)) r.fail("insurer_number", "must be 8 digits (6 for 国保)");
  q.insurer_name = r.text("insurer_name");
  q.symbol = r.text("symbol");
  q.number = r.required_text("number");
  q.branch = r.text("branch");
  if (!q.branch.empty() && (q.branch.size() != 2 || !digits_only(q.branch))) r.fail("branch", "must be 2 digits");
  q.card_classification = r.text("card_classification", "01");
  static const std::set<std::string> classifications{"01", "02", "03", "04", "05", "06", "07", "A1"};
  if (!classifications.contains(q.card_classification)) r.fail("card_classification", "unknown code '" + q.card_classification + "'");
  q.personal_family = r.text("personal_family", "1");
  if (q.personal_family != "1" && q.personal_family != "2") r.fail("personal_family", "must be \"1\" (本人) or \"2\" (家族)");
  q.insured_name = r.text("insured_name");
  q.qualification_date = r.required_date("qualification_date");
  q.filed_on = r.date("filed_on").value_or(q.qualification_date);
  q.disqualification_date = r.date("disqualification_date");
  q.loss_filed_on = r.date("loss_filed_on");
  q.reason_of_loss = r.text("reason_of_loss");
  if (q.disqualification_date) {
    if (std::chrono::sys_days{*q.disqualification_date} <= std::chrono::sys_days{q.qualification_date}) {
      r.fail("disqualification_date", "must be after qualification_date");
    }
    if (q.reason_of_loss.empty()) q.reason_of_loss = "99";
  } else if (q.loss_filed_on || !q.reason_of_loss.empty()) {
    r.fail("loss_filed_on and reason_of_loss need a disqualification_date");
  }
  // InsuredPartialContributionRatio: the layout's field for the 後期高齢者医療 ratio, which clinic
  // software reads as such. 70-74 give theirs in elderly.ElderlyRecipientContributionRatio;
  // younger patients' 3割 (2割 before school) follows from the birth date and has no field.
  q.contribution_ratio = r.text("contribution_ratio");
  if (!q.contribution_ratio.empty()) {
    if (!ratio_code(q.contribution_ratio)) r.fail("contribution_ratio", "must be \"010\", \"020\" or \"030\" (1割, 2割, 3割)");
    if (q.insurer_number.compare(0, 2, "39") != 0) {
      r.fail("contribution_ratio",
             "is InsuredPartialContributionRatio, the 後期高齢者医療 ratio: only for a 後期高齢者医療 insurer (39xxxxxx); "
             "give a 70-74 patient's ratio in elderly.ElderlyRecipientContributionRatio and leave it out for younger "
             "patients (3割, 2割 before school, by the birth date)");
    }
  }
  q.preschool = r.text("preschool");
  q.certificate_issuance_date = r.date("certificate_issuance_date");
  q.card_valid_date = r.date("card_valid_date");
  q.card_expiration_date = r.date("card_expiration_date");
  q.elderly = r.oqs_object("elderly");
  if (q.elderly.is_object() && q.elderly.contains("ElderlyRecipientContributionRatio") &&
      !ratio_code(q.elderly["ElderlyRecipientContributionRatio"].get<std::string>())) {
    r.fail("elderly.ElderlyRecipientContributionRatio", "must be \"020\" or \"030\" (2割, 3割)");
  }
  check_oqs_dates(r, "elderly", q.elderly);
  q.limit_application = r.oqs_object("limit_application");
  check_oqs_dates(r, "limit_application", q.limit_application);
  const Json& diseases = r.array("specific_diseases");
  if (!diseases.empty()) {
    q.specific_diseases = Json::array();
    for (std::size_t i = 0; i < diseases.size(); ++i) {
      Reader d(diseases[i], r.path() + ".specific_diseases[" + std::to_string(i) + "]");
      for (const auto& [name, value] : diseases[i].items()) {
        if (!value.is_string()) d.fail(name, "must be a string");
      }
      check_oqs_dates(r, "specific_diseases[" + std::to_string(i) + "]", diseases[i]);
      q.specific_diseases.push_back(diseases[i]);
    }
  }
  const Json& tickets = r.array("public_expense_results");
  if (!tickets.empty()) {
    q.public_expense = Json::array();
    for (std::size_t i = 0; i < tickets.size(); ++i) {
      Reader t(tickets[i], r.path() + ".public_expense_results[" + std::to_string(i) + "]");
      for (const auto& [name, value] : tickets[i].items()) {
        if (!value.is_string()) t.fail(name, "must be a string");
      }
      check_oqs_dates(r, "public_expense_results[" + std::to_string(i) + "]", tickets[i]);
      q.public_expense.push_back(tickets[i]);
    }
  }
  const Json& certificates = r.array("eligibility_certificates");
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    Reader c(certificates[i], r.path() + ".eligibility_certificates[" + std::to_string(i) + "]");
    EligibilityCertificateRecord ec{c.required_date("issued_on"), c.required_date("valid_until")};
    if (std::chrono::sys_days{ec.valid_until} < std::chrono::sys_days{ec.issued_on}) c.fail("valid_until", "is before issued_on");
    q.eligibility_certificates.push_back(ec);
  }
  return q;
}

}  // namespace

Fixture Fixture::load(const fs::path& file) {
  return parse(read_file(file), file.has_parent_path() ? file.parent_path() : fs::path("."));
}

Fixture Fixture::parse(const std::string& json_text, const fs::path& base_dir) {
  const Json json = Json::parse(json_text, nullptr, false);
  if (json.is_discarded()) throw FixtureError("the fixture is not valid JSON");
  Reader root(json, "fixture");
  if (root.text("format") != kFormat) root.fail("format", std::string("must be \"") + kFormat + "\"");
  if (!json.contains("version") || !json["version"].is_number_integer() || json["version"].get<int>() != kVersion) {
    root.fail("version", "must be " + std::to_string(kVersion));
  }
  Fixture f;
  f.base_dir = base_dir;
  if (root.has("jpki_ca")) f.jpki_ca = base_dir / root.text("jpki_ca");

  std::set<std::string> person_keys;
  std::set<std::string> qualification_keys;
  std::set<std::string> card_hashes;
  const Json& people = root.array("people");
  for (std::size_t i = 0; i < people.size(); ++i) {
    Reader p(people[i], "people[" + std::to_string(i) + "]");
    FixturePerson fp;
    PersonRecord& person = fp.person;
    person.key = p.required_text("id");
    if (!person_keys.insert(person.key).second) p.fail("id", "'" + person.key + "' is used twice");
    person.name = p.required_text("name");
    person.name_kana = p.text("name_kana");
    person.name_of_other = p.text("name_of_other");
    person.name_of_other_kana = p.text("name_of_other_kana");
    person.sex = p.text("sex", "3");
    if (person.sex != "1" && person.sex != "2" && person.sex != "3") p.fail("sex", "must be \"1\", \"2\" or \"3\"");
    person.birth_date = p.required_date("birth_date");
    person.address = p.text("address");
    person.post_number = p.text("post_number");
    person.linkage_under_review = p.flag("linkage_under_review");
    person.registered_for_insurance_use = p.date("registered_for_insurance_use");

    const Json& cards = p.array("cards");
    for (std::size_t c = 0; c < cards.size(); ++c) {
      Reader cr(cards[c], p.path() + ".cards[" + std::to_string(c) + "]");
      CardRecord card = card_from(cr, base_dir);
      if (!card_hashes.insert(card.certificate_sha256).second) cr.fail("the same certificate is listed twice");
      fp.cards.push_back(std::move(card));
    }
    const Json& qualifications = p.array("qualifications");
    for (std::size_t q = 0; q < qualifications.size(); ++q) {
      Reader qr(qualifications[q], p.path() + ".qualifications[" + std::to_string(q) + "]");
      QualificationRecord record = qualification_from(qr);
      if (!qualification_keys.insert(record.key).second) qr.fail("id", "'" + record.key + "' is used twice");
      if (record.insured_name.empty() && record.personal_family == "1") record.insured_name = person.name;
      fp.qualifications.push_back(std::move(record));
    }
    const Json& consents = p.array("consents");
    for (std::size_t c = 0; c < consents.size(); ++c) {
      Reader cr(consents[c], p.path() + ".consents[" + std::to_string(c) + "]");
      ConsentRecord consent;
      consent.medical_institution_code = cr.required_text("medical_institution_code");
      if (consent.medical_institution_code.size() != 10 || !digits_only(consent.medical_institution_code)) {
        cr.fail("medical_institution_code", "must be 10 digits");
      }
      consent.medical_information = cr.flag("medical_information", true);
      consent.consented_at = cr.instant("at");
      consent.available_until = consent.consented_at + std::chrono::hours{24};
      fp.consents.push_back(consent);
    }
    f.people.push_back(std::move(fp));
  }

  const Json& revocations = root.array("revocations");
  for (std::size_t i = 0; i < revocations.size(); ++i) {
    Reader r(revocations[i], "revocations[" + std::to_string(i) + "]");
    RevocationRecord rev;
    rev.source = "fixture";
    if (r.has("card_file") || r.has("certificate_file")) {
      try {
        auto cert = r.has("card_file")
                        ? parse_certificate_der(sim::card::CardProfile::load(base_dir / r.text("card_file")).auth.certificate)
                        : parse_certificate_file(base_dir / r.text("certificate_file"));
        const CertificateInfo info = describe(cert.get());
        rev.issuer = info.issuer;
        rev.serial = info.serial;
      } catch (const std::exception& e) {
        r.fail(e.what());
      }
    } else {
      rev.issuer = r.required_text("issuer");
      try {
        rev.serial = sim::ca::detail::normalize_serial_hex(r.required_text("serial"));
      } catch (const std::invalid_argument& e) {
        r.fail("serial", e.what());
      }
    }
    rev.revoked_at = r.has("revoked_at") ? r.instant("revoked_at") : TimePoint{};
    f.revocations.push_back(std::move(rev));
  }
  return f;
}

// ---------------------------------------------------------------------------------- sample

namespace {

using std::chrono::sys_days;

std::string iso(Date d) { return hal::calendar::format_iso_date(d); }
std::string yyyymmdd(Date d) { return hal::calendar::format_yyyymmdd(d); }

Date minus_days(Date d, int n) { return Date{sys_days{d} - std::chrono::days{n}}; }

// The same date `years` earlier (29 February becomes the 28th).
Date years_before(Date d, int years) {
  Date out = d - std::chrono::years{years};
  if (!out.ok()) out = out.year() / out.month() / std::chrono::last;
  return out;
}

// The business day `n` business days before `d`.
Date business_days_before(Date d, int n) {
  sys_days day{d};
  while (n > 0) {
    day -= std::chrono::days{1};
    if (is_business_day(Date{day})) --n;
  }
  return Date{day};
}

// 高齢受給者証 and 限度額適用認定証 run from 1 August to 31 July: the period that holds `today`.
std::pair<Date, Date> august_year(Date today) {
  using namespace std::chrono;
  const year y = today.month() >= August ? today.year() : today.year() - years{1};
  return {y / August / day{1}, (y + years{1}) / July / day{31}};
}

// The last 31 July strictly before `today`, and the 31 March two to three years after `today`.
Date last_july_31_before(Date today) {
  using namespace std::chrono;
  const Date this_year = today.year() / July / day{31};
  return sys_days{this_year} < sys_days{today} ? this_year : (today.year() - years{1}) / July / day{31};
}
Date march_31_in_years(Date today, int n) {
  using namespace std::chrono;
  return (today.year() + years{n}) / March / day{31};
}

Json qualification(const std::string& id, const std::string& insurer, const std::string& insurer_name,
                   const std::string& symbol, const std::string& number, const std::string& branch,
                   const std::string& since, const std::string& family = "1") {
  return Json{{"id", id},
              {"insurer_number", insurer},
              {"insurer_name", insurer_name},
              {"symbol", symbol},
              {"number", number},
              {"branch", branch},
              {"card_classification", "01"},
              {"personal_family", family},
              {"qualification_date", since},
              {"filed_on", since}};
}

}  // namespace

int sample_generator(const Json& fixture) {
  if (!fixture.is_object()) return 0;
  const auto sample = fixture.find("sample");
  if (sample != fixture.end() && sample->is_object() && sample->contains("generator") && (*sample)["generator"].is_number_integer()) {
    return (*sample)["generator"].get<int>();
  }
  // Samples of the first generator said so only in their comment.
  const auto comment = fixture.find("comment");
  if (comment != fixture.end() && comment->is_string() &&
      comment->get<std::string>().rfind("Sample made by kiosk-sim eligibility init", 0) == 0) {
    return 1;
  }
  return 0;
}

std::string sample_fixture(const SampleFixtureOptions& o) {
  Json people = Json::array();
  // Insurer numbers carry the check digit of 保険者番号設定要領 (the kiosk refuses a wrong one).
  const std::string kyokai = "01130012";
  const std::string kyokai_name = "全国健康保険協会東京支部";
  const std::string kokuho = "00138123";  // 国民健康保険 (6 digits 138123, zero-padded)
  const std::string kokuho_name = "サンプル市国民健康保険";
  const std::string kouki = "39131008";   // 後期高齢者医療 (法別番号 39)
  const std::string kouki_name = "東京都後期高齢者医療広域連合";
  const std::string kenpo = "06139992";
  const std::string kenpo_name = "サンプル健康保険組合";
  const std::string today = iso(o.today);
  const auto [period_start, this_period_end] = august_year(o.today);
  // In the last month of a period the next certificate is out already: the sample's records then
  // run a year longer, so that a world made in July still has current records in August.
  const Date period_end = sys_days{this_period_end} - sys_days{o.today} < std::chrono::days{31}
                              ? Date{(this_period_end.year() + std::chrono::years{1}) / std::chrono::July / std::chrono::day{31}}
                              : this_period_end;

  for (std::size_t i = 0; i < o.card_files.size(); ++i) {
    const sim::card::CardProfile card = sim::card::CardProfile::load(o.card_files[i]);
    const auto birth = hal::calendar::parse_yyyymmdd(card.birth_date);
    const std::string id = "card-holder-" + std::to_string(i + 1);
    Json person{{"id", id},
                {"name", card.holder_name},
                {"name_kana", i == 0 ? "ﾊﾞﾝｺﾞｳ ﾀﾛｳ" : ""},
                {"sex", card.sex == '1' ? "1" : card.sex == '2' ? "2" : "3"},
                {"birth_date", birth ? iso(*birth) : std::string("1980-01-01")},
                {"address", card.address},
                {"registered_for_insurance_use", "2024-05-01"},
                {"cards", Json::array({Json{{"card_file", fs::proximate(o.card_files[i], o.fixture_dir).string()}}})}};
    const std::string number = std::to_string(1000001 + i);
    Json q = qualification(id + "-kyokai", kyokai, kyokai_name, "12345678", number, "00", "2020-04-01");
    q["filed_on"] = "2020-03-25";
    switch (i % kSampleCardCases) {
      case 0:
        break;  // valid and registered, working age: 3割
      case 1:
        person["registered_for_insurance_use"] = nullptr;  // registration is offered at the kiosk
        break;
      case 2:
        person["linkage_under_review"] = true;  // qualification shown, medical information suspended
        break;
      case 3:
        q["disqualification_date"] = iso(minus_days(o.today, 40));
        q["loss_filed_on"] = iso(minus_days(o.today, 38));
        q["reason_of_loss"] = "03";
        break;
      case 4:
        q["qualification_date"] = iso(business_days_before(o.today, 2));
        q["filed_on"] = iso(business_days_before(o.today, 2));  // not visible for 3 more business days
        break;
      case 5:  // 70-74 in 国保: the 高齢受給者証 of this August-to-July period (2割), and last period's (ended)
        q = qualification(id + "-kokuho", kokuho, kokuho_name, "ｻﾝﾌﾟﾙ", number, "", "2015-04-01");
        q["elderly"] = {{"ElderlyRecipientCertificateDate", yyyymmdd(minus_days(period_start, 20))},
                        {"ElderlyRecipientValidStartDate", yyyymmdd(period_start)},
                        {"ElderlyRecipientValidEndDate", yyyymmdd(period_end)},
                        {"ElderlyRecipientContributionRatio", "020"}};
        break;
      case 6:  // 75 and over: 後期高齢者医療, 1割 in InsuredPartialContributionRatio
        q = qualification(id + "-kouki", kouki, kouki_name, "", number, "", "2020-04-01");
        q["contribution_ratio"] = "010";
        break;
      case 7:  // a 限度額適用認定証 of this period (区分 A03, 現役並みⅠ... as OQSCD012 writes it)
        q["limit_application"] = {{"LimitApplicationCertificateClassification", "01"},
                                  {"LimitApplicationCertificateClassificationFlag", "A03"},
                                  {"LimitApplicationCertificateDate", yyyymmdd(minus_days(period_start, 10))},
                                  {"LimitApplicationCertificateValidStartDate", yyyymmdd(period_start)},
                                  {"LimitApplicationCertificateValidEndDate", yyyymmdd(period_end)}};
        break;
    }
    person["qualifications"] = Json::array({q});
    people.push_back(std::move(person));
  }

  // Number path: a valid 資格確認書 (issued last year, valid two to three years ahead).
  Json hanako{{"id", "hanako"}, {"name", "資格　花子"}, {"name_kana", "ｼｶｸ ﾊﾅｺ"}, {"sex", "2"}, {"birth_date", "1990-05-05"}};
  Json hq = qualification("hanako-kenpo", kenpo, kenpo_name, "10", "2001", "00", "2024-12-02");
  hq["eligibility_certificates"] =
      Json::array({Json{{"issued_on", "2024-12-02"}, {"valid_until", iso(march_31_in_years(o.today, 2))}}});
  hanako["qualifications"] = Json::array({hq});
  people.push_back(std::move(hanako));

  // A 資格確認書 that ended on the last 31 July.
  const Date jiro_end = last_july_31_before(o.today);
  Json jiro{{"id", "jiro"}, {"name", "期限　次郎"}, {"name_kana", "ｷｹﾞﾝ ｼﾞﾛｳ"}, {"sex", "1"}, {"birth_date", "1975-11-30"}};
  Json jq = qualification("jiro-kenpo", kenpo, kenpo_name, "10", "2002", "00", "2024-12-02");
  const Date first_certificates{std::chrono::year{2024}, std::chrono::December, std::chrono::day{2}};
  jq["eligibility_certificates"] = Json::array(
      {Json{{"issued_on", iso(std::max(first_certificates, years_before(jiro_end, 1)))}, {"valid_until", iso(jiro_end)}}});
  jiro["qualifications"] = Json::array({jq});
  people.push_back(std::move(jiro));

  // A lost qualification (old numbers, lost 8 months ago) and a newer one: 無効（新しい資格あり）.
  const Date changed = minus_days(o.today, 240);
  Json ichiro{{"id", "ichiro"}, {"name", "転職　一郎"}, {"name_kana", "ﾃﾝｼｮｸ ｲﾁﾛｳ"}, {"sex", "1"}, {"birth_date", "1985-07-07"}};
  Json old_q = qualification("ichiro-old", kyokai, kyokai_name, "555", "77", "00", "2015-04-01");
  old_q["disqualification_date"] = iso(changed);
  old_q["loss_filed_on"] = iso(minus_days(changed, -2));
  old_q["reason_of_loss"] = "03";
  Json new_q = qualification("ichiro-new", "06271233", "サンプル製薬健康保険組合", "3", "456", "00", iso(changed));
  new_q["filed_on"] = iso(minus_days(changed, -3));
  new_q["eligibility_certificates"] =
      Json::array({Json{{"issued_on", iso(minus_days(changed, -9))}, {"valid_until", iso(march_31_in_years(o.today, 3))}}});
  ichiro["qualifications"] = Json::array({old_q, new_q});
  people.push_back(std::move(ichiro));

  // Twins of four on one family qualification: without the branch number both match (複数該当);
  // before school (未就学: 2割, which follows from PreschoolClassification, not from a ratio field).
  const Date twins_born = years_before(minus_days(o.today, 30), 4);
  for (const auto& [id, name, branch] : {std::tuple{"sakura", "家族　さくら", "01"}, std::tuple{"momo", "家族　もも", "02"}}) {
    Json child{{"id", id}, {"name", name}, {"sex", "2"}, {"birth_date", iso(twins_born)}};
    Json cq = qualification(std::string(id) + "-family", kyokai, kyokai_name, "888", "99", branch, iso(twins_born), "2");
    cq["insured_name"] = "家族　父";
    cq["preschool"] = "1";
    cq["eligibility_certificates"] =
        Json::array({Json{{"issued_on", "2024-12-02"}, {"valid_until", iso(march_31_in_years(o.today, 2))}}});
    child["qualifications"] = Json::array({cq});
    people.push_back(std::move(child));
  }

  // An old 健康保険証 (no 資格確認書) of a 72-year-old in 国保: usable until 2025-12-01, refused from
  // 2025-12-02; the 高齢受給者証 of this period says 2割.
  Json saburo{{"id", "saburo"}, {"name", "保険　三郎"}, {"name_kana", "ﾎｹﾝ ｻﾌﾞﾛｳ"}, {"sex", "1"},
              {"birth_date", iso(years_before(minus_days(o.today, 100), 72))}};
  Json sq = qualification("saburo-kokuho", kokuho, kokuho_name, "ｻﾝﾌﾟﾙ", "3003", "", "2010-04-01");
  sq["elderly"] = {{"ElderlyRecipientValidStartDate", yyyymmdd(period_start)},
                   {"ElderlyRecipientValidEndDate", yyyymmdd(period_end)},
                   {"ElderlyRecipientContributionRatio", "020"}};
  saburo["qualifications"] = Json::array({sq});
  people.push_back(std::move(saburo));

  Json fixture{{"format", kFormat},
               {"version", kVersion},
               {"comment", "Sample made by kiosk-sim eligibility init on " + today +
                               ". Dates are YYYY-MM-DD and relative to that day; see docs/eligibility-protocol.md for every field."},
               {"sample", {{"generator", kSampleGenerator}, {"made_on", today}}},
               {"jpki_ca", fs::proximate(o.jpki_ca, o.fixture_dir).string()},
               {"people", std::move(people)},
               {"revocations", Json::array()}};
  return fixture.dump(2) + "\n";
}

}  // namespace kiosk::sim::eligibility
