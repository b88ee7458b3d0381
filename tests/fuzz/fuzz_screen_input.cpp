// libFuzzer target: the HTTP bodies of the kiosk screen and its staff pages, through the
// functions that take them (firmware/screen): the wiped, bounded body reader, the patient's
// input checks and their reception events, and the staff pages' flag bodies.
// The first byte picks the Content-Type and the screen on show; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string>

#include <httplib.h>

#include "firmware/screen/http_hygiene.hpp"
#include "firmware/screen/patient_input.hpp"

using namespace kiosk;
namespace rx = kiosk::core::reception;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  httplib::Request req;
  req.set_header("Content-Type", (mode & 1) != 0 ? "application/json" : "text/plain");
  // The body comes in pieces, as a chunked request brings it.
  const std::size_t piece = 1 + (mode >> 4);
  httplib::ContentReader reader(
      [&](httplib::ContentReceiver receive) {
        for (std::size_t at = 0; at < body.size(); at += piece) {
          if (!receive(body.data() + at, std::min(piece, body.size() - at))) return false;
        }
        return true;
      },
      [](httplib::MultipartContentHeader, httplib::ContentReceiver) { return false; });

  if ((mode & 2) != 0) {
    httplib::Response res;
    (void)firmware::screen::read_flag(req, res, reader, "enabled");
    return 0;
  }
  httplib::Response res;
  nlohmann::json input;
  const firmware::screen::JsonWipeGuard wipe(input);
  if (!firmware::screen::read_json_body(req, res, reader, input)) {
    if (res.status < 400) __builtin_trap();  // refused: with an error status
    return 0;
  }
  if (firmware::screen::input_shape_error(input)) return 0;
  rx::Screen screen;
  const rx::Step steps[] = {rx::Step::Idle, rx::Step::MethodChoice, rx::Step::PinEntry, rx::Step::Consent,
                            rx::Step::Prescription, rx::Step::Result, rx::Step::Registration, rx::Step::Notice};
  screen.step = steps[(mode >> 2) % 8];
  if (!input.is_object() || !input.contains("type") || !input["type"].is_string()) return 0;
  const std::string type = input["type"].get<std::string>();
  if (firmware::screen::screen_takes_input(screen, type, input.contains("value") ? input["value"] : nlohmann::json())) {
    (void)firmware::screen::input_event(input);
  }
  return 0;
}
