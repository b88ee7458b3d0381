#include "drivers/card_surface/read_agreement.hpp"

#include <algorithm>

namespace kiosk::drivers::card_surface {

ReadAgreement::ReadAgreement(int frames_to_agree) : needed_(std::max(1, frames_to_agree)) {}

ReadAgreement::Verdict ReadAgreement::add(SurfaceRead& read) {
  ++frames_;
  switch (read.status) {
    case ReadStatus::NoCard:
      code_.clear();
      streak_ = 0;
      if (!card_seen_) failure_ = std::move(read);
      return Verdict::Pending;
    case ReadStatus::Unreadable:
      card_seen_ = true;
      failure_ = std::move(read);
      return Verdict::Pending;
    case ReadStatus::Read:
      break;
  }
  card_seen_ = true;
  if (streak_ > 0 && !code_.same_as(read.code_b)) {
    code_.clear();
    streak_ = 0;
    failure_.status = ReadStatus::Unreadable;
    failure_.hint = hal::SurfaceScanHint::Uncertain;
    failure_.reason = "two frames of the card were read differently";
    return Verdict::Contradicted;
  }
  if (streak_ == 0) {
    code_ = std::move(read.code_b);
    generation_ = read.generation;
  } else {
    read.code_b.clear();
  }
  ++streak_;
  return streak_ >= needed_ ? Verdict::Agreed : Verdict::Pending;
}

}  // namespace kiosk::drivers::card_surface
