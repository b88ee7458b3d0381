// `kiosk voice-render`: makes the voice files of the patient's screen with espeak-ng
// (firmware/screen/voice.hpp), once per message and language. The build does it into the build
// tree's voice/; the package's postinst into /var/lib/kiosk/voice. Files whose text did not
// change are kept, so running it again after an update only speaks the new texts.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace kiosk::firmware::kiosk {

struct VoiceRenderCommand {
  std::filesystem::path out;       // empty: the built-in voice directory
  std::filesystem::path web;       // the page's files (its i18n/); empty: the built-in one
  std::vector<std::string> langs;  // empty: every language of the page
  std::string espeak = "espeak-ng";
  bool wav = false;                // WAV files as espeak-ng writes them, not Ogg Opus
  // Files made before on this machine ($KIOSK_VOICE_CACHE, else $XDG_CACHE_HOME/kiosk-voice or
  // ~/.cache/kiosk-voice); none with no_cache.
  std::filesystem::path cache;
  bool no_cache = false;
  int jobs = 0;                    // 0: one per processor
};

// Exit code: 0 every file made or kept; 1 some could not be made (each is named); 2 nothing
// could be done (no espeak-ng, a catalog without its readings, an unwritable directory).
int run_voice_render(const VoiceRenderCommand& command, std::ostream& out, std::ostream& err);

}  // namespace kiosk::firmware::kiosk
