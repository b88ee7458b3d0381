// The step interpreter: each step of a scenario as the patient, the staff or time plays it
// against the reception, and each expectation compared with what is observed.
#include "sim/scenario/player.hpp"

#include "hal/calendar.hpp"
#include "sim/card_face/document_renderer.hpp"

namespace kiosk::sim::scenario {

using namespace std::chrono_literals;
namespace rx = core::reception;

core::reception::Event staff_visual_check_mode_event(bool enabled, const std::string& staff_id) {
  return core::reception::StaffVisualCheckMode{enabled, staff_id};
}

namespace {

// Who does a step, for the transcript.
const char* actor(const Step& step) {
  if (std::holds_alternative<Fault>(step)) return "fault  ";
  if (std::holds_alternative<Wait>(step)) return "time   ";
  if (std::holds_alternative<StaffVisualCheck>(step) || std::holds_alternative<StaffVisualCheckMode>(step)) {
    return "staff  ";
  }
  return "patient";
}

// Scenario files are checked when they load (live, printed-photo, life-size-photo, screen-replay).
sim::camera::Presentation presentation(const std::string& name) {
  return sim::camera::presentation_from_name(name).value_or(sim::camera::Presentation::Live);
}

}  // namespace

void Player::run_step(std::size_t index, const StepEntry& entry) {
  const std::string label = "step " + std::to_string(index + 1) + " (" + describe(entry.step) + ")";
  if (!entry.note.empty()) transcript_.add("-------", entry.note);
  if (!std::holds_alternative<Expect>(entry.step)) transcript_.add(actor(entry.step), describe(entry.step));
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, PlaceCard>) {
          PlayedCard& card = cards_.at(s.card);
          if (card.emulator) sim_.tray->place(card.profile);
          if (face_ && !explicit_face_) sim_.camera->show(card.live_face);
          frontend_.reception_starts();
          const std::uint64_t before = runner_->activity();
          sim_.field->place(card.recorded);
          on_reader_ = s.card;
          wait_for_card_event(before);
        } else if constexpr (std::is_same_v<T, RemoveCard>) {
          const bool present = sim_.field->card_present();
          const std::uint64_t before = runner_->activity();
          sim_.field->remove();
          on_reader_.clear();
          if (present) wait_for_card_event(before);
        } else if constexpr (std::is_same_v<T, ShowFace>) {
          explicit_face_ = true;
          if (!face_) return;
          if (s.person.empty()) {
            sim_.camera->show(std::nullopt);
            return;
          }
          const auto it = world_.named.find(s.person);
          if (it == world_.named.end() || !it->second.live_face) {
            throw ScenarioError("show_face: no face image of '" + s.person + "' in the world");
          }
          sim_.camera->show(it->second.live_face, presentation(s.presentation));
        } else if constexpr (std::is_same_v<T, Choose>) {
          frontend_.input(rx::MethodChosen{s.method == "face" ? rx::Method::Face
                                           : s.method == "pin" ? rx::Method::Pin
                                                               : rx::Method::Visual});
        } else if constexpr (std::is_same_v<T, TypePin>) {
          ++pins_typed_;
          frontend_.input(rx::PinTyped{core::card::Secret(s.pin)});
        } else if constexpr (std::is_same_v<T, Answer>) {
          frontend_.input(rx::Answered{s.yes});
        } else if constexpr (std::is_same_v<T, Prescription>) {
          frontend_.input(rx::PrescriptionChosen{s.choice == "electronic" ? core::eligibility::PrescriptionIssue::Electronic
                                                                           : core::eligibility::PrescriptionIssue::Paper});
        } else if constexpr (std::is_same_v<T, Acknowledge>) {
          frontend_.input(rx::Acknowledged{});
        } else if constexpr (std::is_same_v<T, Cancel>) {
          frontend_.input(rx::Cancelled{});
        } else if constexpr (std::is_same_v<T, StaffVisualCheckMode>) {
          frontend_.input(staff_visual_check_mode_event(s.enabled, s.staff_id));
        } else if constexpr (std::is_same_v<T, StaffVisualCheck>) {
          frontend_.input(rx::VisualChecked{s.confirmed, s.staff_id});
        } else if constexpr (std::is_same_v<T, Wait>) {
          // Time passes in steps of at most a second; the machine sees each as a Tick.
          auto left = std::chrono::duration_cast<std::chrono::microseconds>(s.duration);
          while (left.count() > 0) {
            const auto step = std::min<std::chrono::microseconds>(left, 1s);
            clock_.advance(step);
            left -= step;
            runner_->post(rx::Tick{});
            if (!settle()) return;
          }
        } else if constexpr (std::is_same_v<T, StartNumbers>) {
          frontend_.input(rx::NumberEntryRequested{});
        } else if constexpr (std::is_same_v<T, EnterNumbers>) {
          core::eligibility::NumberEntry e;
          e.document = s.document == "health-insurance-card" ? core::eligibility::PresentedDocument::HealthInsuranceCard
                                                             : core::eligibility::PresentedDocument::EligibilityCertificate;
          e.insurer_number = s.insurer_number;
          e.symbol = s.symbol;
          e.number = s.number;
          e.branch = s.branch;
          e.birthdate = s.birthdate;
          e.limit_application_consent = s.limit_consent;
          frontend_.input(rx::NumbersEntered{std::move(e)});
        } else if constexpr (std::is_same_v<T, PlaceDocument>) {
          sim::card_face::PrintedDocument d;
          d.type = s.type == "employee-insurance-card"   ? sim::card_face::DocumentType::EmployeeInsuranceCard
                   : s.type == "national-insurance-card" ? sim::card_face::DocumentType::NationalInsuranceCard
                                                          : sim::card_face::DocumentType::EligibilityCertificate;
          d.insurer_number = s.insurer_number;
          d.insurer_name = s.insurer_name;
          d.symbol = s.symbol;
          d.number = s.number;
          d.branch = s.branch;
          d.name = s.name;
          d.birth_date = *hal::calendar::parse_yyyymmdd(s.birthdate);
          d.issued = *hal::calendar::parse_yyyymmdd(s.issued);
          d.acquired = d.issued;
          if (const auto until = hal::calendar::parse_yyyymmdd(s.valid_until)) d.valid_until = *until;
          sim::card_face::DocumentRenderOptions o;
          o.layout = s.layout == "stacked" ? sim::card_face::DocumentLayout::Stacked
                     : s.layout == "ruled" ? sim::card_face::DocumentLayout::Ruled
                                           : sim::card_face::DocumentLayout::Inline;
          sim_.place_document(d, o);
        } else if constexpr (std::is_same_v<T, ReadDocument>) {
          frontend_.input(rx::DocumentReadRequested{});
        } else if constexpr (std::is_same_v<T, ConfirmNumbers>) {
          // What the screen shows in the form (what the reader filled), with the patient's corrections.
          const rx::Screen shown = frontend_.current();
          core::eligibility::NumberEntry e = shown.form.value_or(core::eligibility::NumberEntry{});
          for (const auto& [field, value] : s.corrections) {
            if (field == "insurer_number") e.insurer_number = value;
            if (field == "symbol") e.symbol = value;
            if (field == "number") e.number = value;
            if (field == "branch") e.branch = value;
            if (field == "birthdate") e.birthdate = value;
          }
          e.limit_application_consent = s.limit_consent;
          frontend_.input(rx::NumbersEntered{std::move(e)});
        } else if constexpr (std::is_same_v<T, Fault>) {
          apply(s);
        } else if constexpr (std::is_same_v<T, Expect>) {
          const auto diff = compare(s, observe());
          if (!diff.empty()) {
            std::string text = label + ": expectation not met";
            if (!entry.note.empty()) text += " (" + entry.note + ")";
            for (const auto& d : diff) text += "\n  " + d;
            text += "\n  last lines of the transcript:" + transcript_.tail(8);
            fail(text);
          }
        }
      },
      entry.step);
}

}  // namespace kiosk::sim::scenario
