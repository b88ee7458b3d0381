#include "firmware/screen/terminal_frontend.hpp"

#include <poll.h>
#include <termios.h>
#include <string>
#include <vector>
#include <unistd.h>

#include "core/card/secret.hpp"
#include "core/eligibility/copayment.hpp"

namespace kiosk::firmware::screen {
namespace rx = core::reception;
namespace {

enum class LineResult { Line, Stopped, Closed };

// Reads one line into `line` (at most Secret::kCapacity characters kept), polling so that a
// stop request ends the wait. `key` is called for every key that arrives (never with the key).
// `echo`: where to echo the keys of a terminal in key-by-key mode (nullptr: no echo, the PIN).
template <typename OnKey>
LineResult read_line(int fd, core::card::Secret& line, const std::stop_token& stop, OnKey key, std::ostream* echo) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 200);
    if (stop.stop_requested()) return LineResult::Stopped;
    if (ready <= 0) continue;
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return LineResult::Closed;
    key();
    if (c == '\r') continue;
    if (c == '\n') {
      if (echo != nullptr) *echo << '\n' << std::flush;
      return LineResult::Line;
    }
    if (c == '\x7f' || c == '\b') {  // backspace (key-by-key: the terminal no longer edits the line)
      if (!line.empty()) {
        line.pop_back();
        if (echo != nullptr) *echo << "\b \b" << std::flush;
      }
      continue;
    }
    if (line.size() < core::card::Secret::kCapacity) {
      line.push_back(c);
      if (echo != nullptr) *echo << c << std::flush;
    }
  }
}

std::string as_text(const core::card::Secret& s) { return std::string(s.bytes().begin(), s.bytes().end()); }

}  // namespace

TerminalFrontend::TerminalFrontend(int input_fd, std::ostream& out, nlohmann::json texts)
    : fd_(input_fd), out_(out), texts_(std::move(texts)) {}

TerminalFrontend::~TerminalFrontend() { stop(); }

std::string TerminalFrontend::text(const std::string& key) const {
  const auto it = texts_.find(key);
  return it != texts_.end() && it->is_string() ? it->get<std::string>() : key;
}

void TerminalFrontend::start(core::reception::EventSink sink) {
  sink_ = std::move(sink);
  reader_ = std::jthread([this](std::stop_token stop) { read_input(stop); });
}

void TerminalFrontend::stop() {
  if (reader_.joinable()) {
    reader_.request_stop();
    screen_changed_.notify_all();
    reader_.join();
  }
}

void TerminalFrontend::show(const rx::Screen& s) {
  {
    std::lock_guard lock(mutex_);
    screen_ = s;
    ++generation_;
  }
  screen_changed_.notify_all();
  const rx::MessageInfo m = rx::info(s.message);
  std::string note;
  if (s.message != rx::Message::None) {
    note = "【" + std::string(m.code) + "】 " + text(m.key);
    // The next step belongs to the message (the municipal office for a locked PIN, the counter
    // with 資格情報のお知らせ, ...): on its own line, as the kiosk screen shows it.
    const std::string next = std::string(m.key) + ".next";
    if (text(next) != next) note += "\n[kiosk]   -> " + text(next);
    if (!s.certificate_expires.empty()) note += "\n[kiosk]   (" + s.certificate_expires + ")";
    if (!s.certificate_usable_until.empty()) note += "\n[kiosk]   usable until " + s.certificate_usable_until;
  }
  switch (s.step) {
    case rx::Step::Idle:
      out_ << "[kiosk] マイナンバーカードを置いてください / Please place your My Number card on the reader\n";
      break;
    case rx::Step::ReadingCard:
      out_ << "[kiosk] reading the card...\n";
      break;
    case rx::Step::MethodChoice: {
      if (!note.empty()) out_ << "[kiosk] " << note << "\n";
      out_ << "[kiosk] choose:";
      for (const auto method : s.methods) {
        out_ << (method == rx::Method::Face ? "  [f] face" : method == rx::Method::Pin ? "  [p] PIN" : "  [v] staff visual check");
      }
      out_ << "  [c] cancel\n";
      break;
    }
    case rx::Step::FaceCapture: {
      // The guidance in the patient's words where the catalog has them ("turn your head to your
      // left" must be read, not guessed from a key).
      const std::string key = "face.guidance." + s.guidance;
      const std::string guidance = text(key) != key ? text(key) : s.guidance;
      out_ << "[kiosk] look at the camera" << (s.guidance.empty() ? "" : " (" + guidance + ")") << "\n";
      break;
    }
    case rx::Step::PinEntry:
      if (!note.empty()) out_ << "[kiosk] " << note << "\n";
      out_ << "[kiosk] 残り回数 / tries left: " << s.tries_left << "\n"
           << "[kiosk] 暗証番号（4桁）を入力してください / Enter your 4-digit PIN ([c] cancels):\n";
      break;
    case rx::Step::VisualCheck:
      out_ << "[kiosk] staff: compare the patient with the card photo: [y] same person  [n] not\n";
      break;
    case rx::Step::Confirming:
      out_ << "[kiosk] checking...\n";
      break;
    case rx::Step::Registration:
      out_ << "[kiosk] " << note << (s.service_message.empty() ? "" : " " + s.service_message) << "  [y] register  [n] no\n";
      break;
    case rx::Step::Consent:
      out_ << "[kiosk] share your medical information (medication, check-ups, treatment, operations) with this "
              "clinic? [y] yes  [n] no\n";
      break;
    case rx::Step::Prescription:
      out_ << "[kiosk] prescription: [e] electronic  [p] paper\n";
      break;
    case rx::Step::Result:
      out_ << "[kiosk] result: "
           << (s.validity ? std::string(core::eligibility::label(*s.validity)) : std::string("no result"));
      if (!s.insurer_name.empty()) out_ << ", " << s.insurer_name;
      if (!s.loss_reason.empty()) {  // ReasonOfLoss in the screen's language (the page's keys; other codes: 99)
        const std::string key = "result.loss_reason." + s.loss_reason;
        out_ << ", " << (text(key) != key ? text(key) : text("result.loss_reason.99"));
      }
      if (!s.lost_from.empty()) out_ << " (" << s.lost_from << ")";
      if (const auto share = core::eligibility::copayment_label(s.contribution_ratio)) out_ << ", 負担割合 " << *share;
      if (s.medical_information_viewing_suspended) out_ << ", medical information viewing suspended";
      if (!s.service_message.empty()) out_ << " (" << s.service_message << ")";
      out_ << "  [enter] OK\n";
      if (!note.empty()) out_ << "[kiosk] " << note << "\n";
      break;
    case rx::Step::NumberEntry:
      if (!note.empty()) out_ << "[kiosk] " << note << (s.entry_problem.empty() ? "" : " (" + s.entry_problem + ")") << "\n";
      out_ << "[kiosk] 資格確認書 / eligibility certificate: type  k|h,insurer number,symbol,number,branch,birth date "
              "(k 資格確認書, h 健康保険証; birth date YYYYMMDD), or [c] cancel\n";
      break;
    case rx::Step::Notice:
      out_ << "[kiosk] " << note << (s.service_message.empty() ? "" : " " + s.service_message) << "  [enter] OK\n";
      break;
    case rx::Step::RemoveCard:
      out_ << "[kiosk] カードをお取りください / Please take your card\n";
      break;
  }
  out_ << std::flush;
}

namespace {
// Screens that take an answer; on the others typed lines wait (so a script can be piped in).
bool asks(rx::Step s) {
  switch (s) {
    case rx::Step::MethodChoice:
    case rx::Step::PinEntry:
    case rx::Step::VisualCheck:
    case rx::Step::Registration:
    case rx::Step::Consent:
    case rx::Step::Prescription:
    case rx::Step::Result:
    case rx::Step::Notice:
    case rx::Step::NumberEntry: return true;
    default: return false;
  }
}
}  // namespace

void TerminalFrontend::key_pressed() {
  const auto now = std::chrono::steady_clock::now();
  if (last_activity_ && now - *last_activity_ < kActivityInterval) return;
  {
    std::lock_guard lock(mutex_);
    if (!rx::patient_paced(screen_.step)) return;
  }
  last_activity_ = now;
  sink_(rx::PatientActive{});
}

void TerminalFrontend::read_input(std::stop_token stop) {
  std::uint64_t answered = 0;  // the screen generation the last accepted line answered
  for (;;) {
    rx::Step step;
    {
      std::unique_lock lock(mutex_);
      screen_changed_.wait(lock, [&] { return stop.stop_requested() || (generation_ != answered && asks(screen_.step)); });
      if (stop.stop_requested()) return;
      step = screen_.step;
      answered = generation_;
    }
    core::card::Secret line;
    LineResult r;
    {
      // Key by key, so that typing is activity; on the PIN screen nothing is echoed.
      const KeyByKey keys(fd_);
      const EchoOff quiet = step == rx::Step::PinEntry && !keys.active() ? EchoOff(fd_) : EchoOff(-1);
      std::ostream* echo = keys.active() && step != rx::Step::PinEntry ? &out_ : nullptr;
      r = read_line(fd_, line, stop, [this] { key_pressed(); }, echo);
    }
    if (r != LineResult::Line) return;
    const rx::Step typed_on = step;
    {
      std::lock_guard lock(mutex_);
      step = screen_.step;  // the screen may have changed while the line was typed
    }
    // A line typed on the PIN screen (without echo) is the PIN or nothing: never printed, never
    // taken as another screen's answer. A line typed with echo (on another screen) never
    // becomes a PIN. Either one is dropped, wiped, when the screen changed under it.
    if ((typed_on == rx::Step::PinEntry) != (step == rx::Step::PinEntry)) continue;
    if (step == rx::Step::PinEntry) {
      if (line.size() == 1 && line.bytes()[0] == 'c') {
        sink_(rx::Cancelled{});
      } else {
        sink_(rx::PinTyped{std::move(line)});  // the machine ignores anything but 4 digits
      }
      continue;
    }
    const std::string word = as_text(line);
    line.clear();
    if (word.empty() && step != rx::Step::Result && step != rx::Step::Notice) {  // a bare Enter: ask again
      std::lock_guard lock(mutex_);
      --answered;
      continue;
    }
    if (word == "c") {
      sink_(rx::Cancelled{});
    } else if (step == rx::Step::MethodChoice && (word == "f" || word == "p" || word == "v")) {
      sink_(rx::MethodChosen{word == "f" ? rx::Method::Face : word == "p" ? rx::Method::Pin : rx::Method::Visual});
    } else if ((step == rx::Step::Registration || step == rx::Step::Consent) && (word == "y" || word == "n")) {
      sink_(rx::Answered{word == "y"});
    } else if (step == rx::Step::VisualCheck && (word == "y" || word == "n")) {
      sink_(rx::VisualChecked{word == "y", "terminal-staff"});
    } else if (step == rx::Step::Prescription && (word == "e" || word == "p")) {
      sink_(rx::PrescriptionChosen{word == "e" ? core::eligibility::PrescriptionIssue::Electronic
                                               : core::eligibility::PrescriptionIssue::Paper});
    } else if (step == rx::Step::Result || step == rx::Step::Notice) {
      sink_(rx::Acknowledged{});
    } else if (step == rx::Step::NumberEntry && (word.rfind("k,", 0) == 0 || word.rfind("h,", 0) == 0)) {
      // k|h,insurer,symbol,number,branch,birth date: the machine checks every entry.
      std::vector<std::string> parts;
      std::size_t from = 0;
      for (std::size_t comma; (comma = word.find(',', from)) != std::string::npos; from = comma + 1) {
        parts.push_back(word.substr(from, comma - from));
      }
      parts.push_back(word.substr(from));
      parts.resize(6);
      core::eligibility::NumberEntry e;
      e.document = parts[0] == "h" ? core::eligibility::PresentedDocument::HealthInsuranceCard
                                   : core::eligibility::PresentedDocument::EligibilityCertificate;
      e.insurer_number = parts[1];
      e.symbol = parts[2];
      e.number = parts[3];
      e.branch = parts[4];
      e.birthdate = parts[5];
      sink_(rx::NumbersEntered{std::move(e)});
    } else {
      out_ << "[kiosk] (not an answer here: '" << word << "')\n" << std::flush;
      std::lock_guard lock(mutex_);
      --answered;  // read again on the same screen
    }
  }
}

}  // namespace kiosk::firmware::screen
