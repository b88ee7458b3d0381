// QA scenario files: the model and its parser (JSON, nlohmann-json). Format "kiosk-scenario"
// version 1, documented in docs/scenarios.md. A scenario names the cards it uses (cards of the
// simulated world, with changes), the device timing, and a list of steps: what the patient,
// the staff and the world do, faults to inject, and expectations to check.
//
//   {"format": "kiosk-scenario", "version": 1, "name": "PIN success",
//    "cards": {"card": {"world_card": "taro"}},
//    "steps": [{"place_card": "card"}, {"expect": {"screen": "method-choice"}}, {"choose": "pin"},
//              {"type_pin": "1234"}, {"expect": {"screen": "consent"}}, ...]}
//
// Device-free: the firmware's scenario player (sim/scenario/scenario_player) executes it.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::sim::scenario {

using std::chrono::milliseconds;

// The file does not parse or breaks a rule; the message names the file and the place
// ("pin.json: steps[3].type_pin: expected a string of digits").
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A card of the scenario: a card of the simulated world (see the world's card list), changed.
struct CardSpec {
  std::string world_card = "taro";  // taro, hanako, review, lost, recent, taro-expiring-soon, ...
  std::optional<int> tries_left;    // start with fewer PIN tries left (0: locked)
  bool foreign = false;             // a payment card, not a My Number card
  std::optional<std::string> atr;   // hex: answer this ATR instead
};

// Device timing model: advances the virtual clock so reception times read as on hardware.
struct Timing {
  double bit_rate_kbps = 212.0;         // contactless (ISO 14443 Type B: 106/212/424/848)
  milliseconds apdu_latency{4};         // per APDU: reader and card turnaround
  milliseconds rsa_signing{350};        // the card's RSA-2048 signature
  double camera_fps = 15.0;             // frames per second delivered by the camera
  milliseconds camera_exposure{500};    // from opening the camera to the first frame
  milliseconds service_latency{250};    // one HTTPS exchange with the eligibility service
};

// ---- steps ----
struct PlaceCard { std::string card; };
struct RemoveCard {};
// Who stands in front of the camera: a card holder's live face ("taro"), an attack made of it,
// or nobody (person empty).
struct ShowFace {
  std::string person;
  std::string presentation = "live";  // live, printed-photo, life-size-photo, screen-replay
};
struct Choose { std::string method; };  // face, pin, visual
struct TypePin { std::string pin; };
struct Answer { bool yes = false; };    // registration, consent
struct Prescription { std::string choice; };  // electronic, paper
struct Acknowledge {};
struct Cancel {};
struct StaffVisualCheckMode {
  bool enabled = false;
  std::string staff_id;
};
struct StaffVisualCheck {
  bool confirmed = false;
  std::string staff_id;
};
struct Wait { milliseconds duration{0}; };
// The 資格確認書 path: the patient touches its button on the idle screen, then sends the form.
struct StartNumbers {};
struct EnterNumbers {
  std::string document = "eligibility-certificate";  // or "health-insurance-card"
  std::string insurer_number;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string birthdate;  // YYYYMMDD
  bool limit_consent = false;
};
// A paper document on the card tray (the card-surface camera's view), as the insurer printed it:
// type eligibility-certificate, employee-insurance-card (健康保険被保険者証) or
// national-insurance-card (国民健康保険被保険者証); layout inline, stacked or ruled; dates YYYYMMDD.
struct PlaceDocument {
  std::string type = "eligibility-certificate";
  std::string layout = "inline";
  std::string insurer_number;
  std::string insurer_name = "全国健康保険協会　東京支部";
  std::string symbol;
  std::string number;
  std::string branch;
  std::string name = "見本　花子";
  std::string birthdate;
  std::string valid_until;  // 資格確認書 only
  std::string issued = "20250401";
};
// 「書類を読み取る」 on the 資格確認書 form.
struct ReadDocument {};
// The patient sends the form as it is on the screen (filled by the document reader), after
// correcting the fields given.
struct ConfirmNumbers {
  std::map<std::string, std::string> corrections;  // insurer_number, symbol, number, branch, birthdate
  bool limit_consent = false;
};
// target/kind: card/{pull-on, truncate, garbage, mute}, reader/{unplug, replug},
// pcscd/{stop, start}, camera/{lost}, service/{down, up, slow, 500, 503, malformed,
// wrong-content-type, wrong-version, wrong-certificate, normal}.
struct Fault {
  std::string target;
  std::string kind;
  std::string card;           // card faults: which card (default: the one on the reader, else the only one)
  std::string command;        // card faults: hex prefix of the command ("00 88")
  std::optional<std::size_t> keep;  // truncate: bytes kept
  std::string replace;        // garbage: hex answer
  int times = 1;              // card faults: how many matching commands (-1: all)
  milliseconds delay{0};      // service slow: extra latency per exchange
};
// What must be seen now; absent fields are not checked.
struct Expect {
  std::optional<std::string> screen;   // idle, method-choice, pin-entry, notice, result, remove-card, ...
  std::optional<std::string> message;  // "K110", "006", "none"
  std::optional<std::string> message_key;  // the text of the message: "pin.wrong_last_try" (codes can have several)
  std::optional<std::vector<std::string>> methods;
  std::optional<int> tries_left;       // on the PIN screen
  std::optional<std::string> validity; // result: valid, invalid, ..., none (no result shown)
  std::optional<std::string> service_message_contains;
  std::optional<std::map<std::string, int>> card_tries_left;  // PIN tries left on each card
  std::optional<std::vector<std::string>> journal;            // reception journal events so far, in order
  std::optional<int> result_files;                            // result files written so far
  std::optional<int> verify_count;                            // VERIFY with a PIN sent to the cards so far
  std::optional<std::vector<std::string>> screens_seen;       // these steps were shown since the last expect, in order
  std::optional<std::string> copayment;                       // the share on the result: 3割, 2割, 1割, none
  std::optional<bool> certificate_expires_shown;              // the certificate's expiry date is on the screen
  std::optional<bool> certificate_usable_until_shown;         // its last usable day (grace period) is on the screen
  std::optional<std::string> entry_problem;                   // the 資格確認書 form's wrong entry, none
  std::optional<std::string> loss_reason;                     // a result not valid: its ReasonOfLoss ("03"), none
  // The 資格確認書 form as the document reader filled it: field -> value ("document":
  // eligibility-certificate / health-insurance-card); {} when it was not filled.
  std::optional<std::map<std::string, std::string>> form;
  // The last reception journal entry: its event, message code and a text its outcome contains.
  std::optional<std::string> last_journal_event;
  std::optional<std::string> last_journal_code;
  std::optional<std::string> last_journal_outcome_contains;
  // Elements of the newest result file: name -> value (first occurrence), nullopt: absent.
  std::optional<std::map<std::string, std::optional<std::string>>> result_file;
};

using Step = std::variant<PlaceCard, RemoveCard, ShowFace, Choose, TypePin, Answer, Prescription, Acknowledge, Cancel,
                          StaffVisualCheckMode, StaffVisualCheck, Wait, Fault, Expect, StartNumbers, EnterNumbers,
                          PlaceDocument, ReadDocument, ConfirmNumbers>;

struct StepEntry {
  Step step;
  std::string note;       // shown in the transcript
  bool needs_face = false;  // skipped when face authentication is off ("if_face": true)
};

struct Scenario {
  std::filesystem::path file;
  std::string name;
  std::string description;
  std::vector<std::string> tags;
  std::uint32_t seed = 1;
  bool face = false;  // needs face authentication (models and face set)
  std::map<std::string, CardSpec> cards;
  Timing timing;
  std::vector<StepEntry> steps;
};

Scenario parse_scenario(const std::string& json_text, const std::filesystem::path& file);
Scenario load_scenario(const std::filesystem::path& file);
// One step given on its own (the interactive console): `{"place_card": "taro"}`; card names are
// those of `context`.
StepEntry parse_step(const std::string& json_text, const Scenario& context);

// A one-line description of a step for transcripts ("the patient types a PIN (4 digits)").
std::string describe(const Step& step);

// ---- expectations ----
// What the player saw; compared with an Expect.
struct Observed {
  std::string screen;
  std::string message;  // "" when none
  std::string message_key;
  std::vector<std::string> methods;
  int tries_left = -1;
  std::string validity;  // "" when no result
  std::string service_message;
  std::map<std::string, int> card_tries_left;
  std::vector<std::string> journal;
  int result_files = 0;
  int verify_count = 0;
  std::vector<std::string> screens_since_last_expect;
  std::string copayment;  // "3割", ... or "" when none
  bool certificate_expires_shown = false;
  bool certificate_usable_until_shown = false;
  std::string entry_problem;
  std::string loss_reason;  // "" when none
  std::map<std::string, std::string> form;  // the document reader's filling of the form
  std::string last_journal_event;
  std::string last_journal_code;
  std::string last_journal_outcome;
  std::map<std::string, std::string> result_file;  // the newest result file's elements (first occurrence)
};

// One line per difference: "screen: expected PinEntry, seen Notice"; empty when all match.
std::vector<std::string> compare(const Expect& expected, const Observed& seen);

}  // namespace kiosk::sim::scenario
