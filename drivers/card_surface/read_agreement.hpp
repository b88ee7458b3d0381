// Several frames must agree before the scanner releases 照合番号B. A single frame can be read
// wrongly with confidence (a reflection that turns a 3 into an 8 in one frame); the same card
// read identically from several frames, each with its own noise, pose and light, is not.
//
// Rules (frames_to_agree = N):
//   - N certain reads of the same code, with no different certain read in between, release it;
//   - frames that are unreadable do not break the run (a hand passing, a reflection);
//   - a frame with no card does (the card was taken away; another may come);
//   - two certain reads that differ while the card stayed are a contradiction: the scan is
//     over, refused (the reader is not sure of that card).
#pragma once

#include <string>

#include "drivers/card_surface/surface_reader.hpp"

namespace kiosk::drivers::card_surface {

class ReadAgreement {
 public:
  enum class Verdict {
    Pending,      // read more frames
    Agreed,       // code() holds the agreed code
    Contradicted  // two certain reads of the card differ: refuse
  };

  explicit ReadAgreement(int frames_to_agree);

  // Takes one frame's read (its code is moved in, the rest kept as the last failure).
  Verdict add(SurfaceRead& read);

  const CodeB& code() const noexcept { return code_; }
  hal::CardGeneration generation() const noexcept { return generation_; }
  int agreeing() const noexcept { return streak_; }
  int frames() const noexcept { return frames_; }
  // The most telling refusal so far (a card seen but unreadable beats no card), for the error.
  const SurfaceRead& last_failure() const noexcept { return failure_; }
  bool card_seen() const noexcept { return card_seen_; }

 private:
  int needed_;
  CodeB code_;
  hal::CardGeneration generation_ = hal::CardGeneration::Unknown;
  int streak_ = 0;
  int frames_ = 0;
  bool card_seen_ = false;
  SurfaceRead failure_;
};

}  // namespace kiosk::drivers::card_surface
