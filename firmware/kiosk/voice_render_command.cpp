#include "firmware/kiosk/voice_render_command.hpp"

#include <algorithm>
#include <chrono>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "firmware/screen/voice.hpp"
#include "firmware/screen/web_frontend.hpp"

namespace kiosk::firmware::kiosk {

int run_voice_render(const VoiceRenderCommand& command, std::ostream& out, std::ostream& err) {
  const std::filesystem::path web = command.web.empty() ? screen::default_web_dir() : command.web;
  const std::filesystem::path dir = command.out.empty() ? screen::default_voice_dir() : command.out;
  screen::VoiceRenderOptions options;
  options.espeak = command.espeak;
  options.format = command.wav ? screen::VoiceFormat::Wav : screen::VoiceFormat::Opus;
  options.jobs = command.jobs > 0 ? command.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    const auto started = std::chrono::steady_clock::now();
    const auto lines = screen::spoken_lines(web, command.langs);
    const auto report = screen::render_voice(lines, dir, options);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    out << "voice: " << report.rendered << " file(s) made, " << report.kept << " kept, " << report.failures.size()
        << " failed, in " << dir.string() << " (" << static_cast<int>(seconds * 10) / 10.0 << " s)\n";
    for (const auto& failure : report.failures) err << "voice: " << failure << "\n";
    return report.failures.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    err << e.what() << "\n";
    return 2;
  }
}

}  // namespace kiosk::firmware::kiosk
