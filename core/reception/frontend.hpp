// What the patient sees and touches: the terminal, or the kiosk screen in a browser.
//
// The reception runner calls show() with every new screen (from its own thread). The frontend
// posts the patient's input as reception events through the sink it was given: MethodChosen,
// PinTyped, Answered, PrescriptionChosen, Acknowledged, Cancelled. Staff actions (visual check
// mode) arrive the same way as StaffVisualCheckMode.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/reception/reception_machine.hpp"

namespace kiosk::core::reception {

using EventSink = std::function<void(core::reception::Event)>;

class Frontend {
 public:
  virtual ~Frontend() = default;
  // Starts taking input; events go to `sink` (thread-safe, may be called from any thread).
  virtual void start(EventSink sink) = 0;
  virtual void show(const core::reception::Screen& screen) = 0;
  virtual void stop() = 0;
  // The patient's live view during a face attempt: one JPEG of the face camera (downscaled,
  // not mirrored), replacing the one before; empty when the attempt ends. Never written
  // anywhere; the frontend wipes it when replaced. Thread-safe. A frontend without a picture
  // (the terminal) ignores it.
  virtual void show_preview(std::vector<std::uint8_t> jpeg) { (void)jpeg; }
};

}  // namespace kiosk::core::reception
