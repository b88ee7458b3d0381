#include "firmware/kiosk/voice_render_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "firmware/screen/voice.hpp"
#include "firmware/screen/web_frontend.hpp"

namespace kiosk::firmware::kiosk {
namespace {

std::filesystem::path default_voice_cache() {
  if (const char* dir = std::getenv("KIOSK_VOICE_CACHE"); dir != nullptr && *dir != '\0') return dir;
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / "kiosk-voice";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "kiosk-voice";
  }
  return {};
}

}  // namespace

int run_voice_render(const VoiceRenderCommand& command, std::ostream& out, std::ostream& err) {
  const std::filesystem::path web = command.web.empty() ? screen::default_web_dir() : command.web;
  const std::filesystem::path dir = command.out.empty() ? screen::default_voice_dir() : command.out;
  screen::VoiceRenderOptions options;
  options.espeak = command.espeak;
  options.format = command.wav ? screen::VoiceFormat::Wav : screen::VoiceFormat::Opus;
  if (!command.no_cache) options.cache_dir = command.cache.empty() ? default_voice_cache() : command.cache;
  options.jobs = command.jobs > 0 ? command.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    const auto started = std::chrono::steady_clock::now();
    const auto lines = screen::spoken_lines(web, command.langs);
    const auto report = screen::render_voice(lines, dir, options);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    out << "voice: " << report.rendered << " file(s) made, " << report.kept << " kept, " << report.cached
        << " from the cache" << (options.cache_dir.empty() ? std::string() : " (" + options.cache_dir.string() + ")") << ", "
        << report.failures.size()
        << " failed, in " << dir.string() << " (" << static_cast<int>(seconds * 10) / 10.0 << " s)\n";
    for (const auto& failure : report.failures) err << "voice: " << failure << "\n";
    return report.failures.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    err << e.what() << "\n";
    return 2;
  }
}

}  // namespace kiosk::firmware::kiosk
