// The faults a scenario injects (its "fault" steps), each where a real one would strike: on the
// card (pulled out mid-command, truncated, garbage or no answer), the reader and pcscd, the
// camera, and the line to the service and the service's answers.
#include "sim/scenario/player.hpp"

namespace kiosk::sim::scenario {

using namespace std::chrono_literals;

void Player::apply(const Fault& f) {
  if (f.target == "card") {
    std::string name = !f.card.empty() ? f.card : on_reader_;
    if (name.empty() && cards_.size() == 1) name = cards_.begin()->first;
    const auto found = cards_.find(name);
    if (found == cards_.end()) throw ScenarioError("a card fault needs a card: name it with \"card\"");
    PlayedCard& card = found->second;
    sim::card::ResponseFault fault;
    fault.command_prefix = from_hex(f.command);
    fault.times = f.times;
    if (f.kind == "pull-on") {
      fault.before = [this] {
        sim_.field->pull_mid_command();
        pulled_ = true;
        transcript_.add("patient", "pulls the card out in the middle of a command");
      };
    } else if (f.kind == "truncate") {
      fault.keep = f.keep;
    } else if (f.kind == "garbage") {
      fault.replace = from_hex(f.replace);
    } else {  // mute: no answer at all
      fault.replace = Bytes{};
    }
    card.faulty->add_fault(std::move(fault));
  } else if (f.target == "reader") {
    if (f.kind == "unplug") {
      sim_.field->set_reader_attached(false);
      on_reader_.clear();
    } else {
      sim_.field->set_reader_attached(true);
    }
  } else if (f.target == "pcscd") {
    sim_.field->set_service_running(f.kind == "start");
  } else if (f.target == "camera") {
    if (face_) sim_.camera->lose();
  } else {
    using Reply = sim::eligibility::Faults::Reply;
    sim::board::WorldFaults faults;
    faults.service_down = f.kind == "down";
    faults.service_wrong_certificate = f.kind == "wrong-certificate";
    faults.service_extra_latency = f.kind == "slow" ? f.delay : 0ms;
    if (f.kind == "500") faults.service_replies.reply = Reply::InternalError;
    if (f.kind == "503") faults.service_replies.reply = Reply::Unavailable;
    if (f.kind == "malformed") faults.service_replies.reply = Reply::MalformedJson;
    if (f.kind == "wrong-content-type") faults.service_replies.reply = Reply::WrongContentType;
    if (f.kind == "wrong-version") faults.service_replies.reply = Reply::WrongVersion;
    sim_.set_service_faults(faults);
  }
}

}  // namespace kiosk::sim::scenario
