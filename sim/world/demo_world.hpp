// The simulated world of `kiosk sim`, made on first use in one directory:
//   ca/            the simulated JPKI CA (trust anchors and CRLs)
//   cards/         demo cards: taro (PIN 1234, valid and registered for insurance use) and
//                  hanako (PIN 5678, not yet registered: the kiosk offers registration)
//   service/       the simulated eligibility service's CA, server and terminal certificates
//   fixture.json   the service's people, cards and qualifications (QA may edit it)
//   outbox/        result files for the reception system
//   journal.sqlite
// Card photos come from the face set in `faces_dir` (never copied into the repository): one
// image of a person for the card, another of the same person for the virtual camera. Without
// the face set the cards carry a drawn silhouette and face authentication is not offered.
#pragma once

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>


namespace kiosk::sim::ca {
class SimulatedJpkiCa;
}

namespace kiosk::sim::world {

// Writes the CA's current CRLs (auth.crl, sign.crl) into its directory, where the kiosk's trust
// store and the eligibility service read them.
void write_crls(const sim::ca::SimulatedJpkiCa& ca, std::chrono::system_clock::time_point now);

struct DemoCard {
  std::filesystem::path file;
  std::optional<std::filesystem::path> live_face;  // what the virtual camera shows for this patient
};

struct DemoWorld {
  std::filesystem::path dir;
  std::map<std::string, DemoCard> named;  // every card by name ("taro", "hanako", and the scenario cards)
  std::filesystem::path other_service_dir;  // scenario worlds: a second service PKI (a wrong server certificate)
  std::filesystem::path ca_dir;
  std::vector<DemoCard> cards;
  std::filesystem::path service_dir;
  std::filesystem::path fixture;
  std::filesystem::path outbox;
  std::filesystem::path journal;
};

DemoWorld ensure_demo_world(const std::filesystem::path& dir, const std::filesystem::path& faces_dir, std::ostream& log);


// The world of QA scenarios: the demo world plus cards for every case, by name —
//   taro (PIN 1234, registered), hanako (PIN 5678, not registered: registration offered),
//   review (linkage under review), lost (qualification lost), recent (filed 2 business days ago),
//   elder (72, 国保 with a 高齢受給者証: 2割), kouki (78, 後期高齢者医療: 1割), limit (a 限度額 区分),
//   taro-expiring-soon, taro-expired-in-grace, taro-expired, taro-revoked (Taro's other cards),
//   taro-face-only (no PIN), taro-android, taro-iphone (smartphone JPKI tokens),
//   taro-next-generation (a 次期個人番号カード: its photo cannot be opened by the kiosk),
//   and attack cards with Taro's certificate (docs/genuine-card.md): taro-clone (Hanako's photo
//   under a foreign CVC root), taro-stolen-record (Taro's record copied onto another chip),
//   taro-other-card (Hanako's own genuine record and chip);
// all but the first two have PIN 1234 (the attack cards 0000, which Taro's certificate refuses). Safe to call from several processes at once (a lock
// file); remade when older than 14 days (certificate dates are relative to the day of issue).
DemoWorld ensure_scenario_world(const std::filesystem::path& dir, const std::filesystem::path& faces_dir, std::ostream& log);

}  // namespace kiosk::sim::world
