// Voice guidance of the patient's screen: the page plays one sound file per message and
// language, `/voice/<lang>/<key>` (<key>.ogg or .wav), made in advance by espeak-ng (Debian's package; a browser
// on a Debian kiosk has no speechSynthesis voice) and replaceable by recorded files.
//
// What is spoken: every text of the patient's screens (the catalogs web/i18n/<lang>.json, not
// the staff pages'), in the patient's language. Japanese is spoken from a kana reading
// (web/i18n/ja.reading.json, one per key) so that kanji are read right: espeak-ng's Japanese
// voice reads kana only. A text with a placeholder is spoken only where its values are few
// ("あと{n}回": one file per n, `<key>.<n>`).
//
// Rendering is done once, at build time (the build tree's voice/) or at install time
// (`kiosk voice-render`, from the package's postinst): files whose voice and text did not change
// are kept (voice/manifest.json).
#pragma once

#include <httplib.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/screen/http_hygiene.hpp"

namespace kiosk::firmware::screen {

// The voice of each language of the page (espeak-ng's names), in the page's language order.
struct VoiceLanguage {
  std::string_view lang;   // the page's code: "ja", "zh-Hant", ...
  std::string_view voice;  // espeak-ng -v
};
const std::vector<VoiceLanguage>& voice_languages();

struct SpokenLine {
  std::string lang;
  std::string key;   // the file is <lang>/<key>.wav
  std::string text;  // what espeak-ng reads (the kana reading in Japanese)
};

// Every line of `langs` (all of voice_languages() when empty) from the catalogs in
// `web_dir`/i18n. Throws std::runtime_error naming what is wrong: a catalog that cannot be read,
// a Japanese text without its reading, a reading that still has kanji, or one for no text.
std::vector<SpokenLine> spoken_lines(const std::filesystem::path& web_dir, const std::vector<std::string>& langs = {});

// Ogg Opus (opusenc of Debian's opus-tools, 24 kbit/s mono): about a thirteenth of the WAV
// espeak-ng writes (~22 MB for all seven languages instead of ~280 MB).
enum class VoiceFormat { Opus, Wav };

struct VoiceRenderOptions {
  std::string espeak = "espeak-ng";  // the program (PATH is searched)
  VoiceFormat format = VoiceFormat::Opus;
  std::string opusenc = "opusenc";
  int opus_kbps = 24;
  int jobs = 2;                      // espeak-ng processes at a time
  int words_per_minute = 150;        // espeak-ng -s: a little slower than its 175, for elderly patients
  // Files made before, by voice, speed, format and text (any build tree or clone of this
  // machine): taken from there instead of speaking again, and added to. Empty: none.
  std::filesystem::path cache_dir;
};

struct VoiceRenderReport {
  int rendered = 0;  // files written
  int kept = 0;      // files that were already there with the same voice and text
  int cached = 0;    // files taken from the cache
  std::vector<std::string> failures;  // "<lang>/<key>: espeak-ng exited with 1"
};

// Writes <out_dir>/<lang>/<key>.ogg (or .wav) for each line (through a temporary name, so a
// file is whole or absent), and <out_dir>/manifest.json. Throws std::runtime_error when
// espeak-ng or opusenc cannot be started at all or `out_dir` cannot be written.
VoiceRenderReport render_voice(const std::vector<SpokenLine>& lines, const std::filesystem::path& out_dir,
                               const VoiceRenderOptions& options = {});

// The voice files served under /voice/: each directory in turn (a clinic's recorded files
// before the rendered ones), <lang>/<key>.ogg or else .wav, of a known language only.
class VoiceFiles {
 public:
  explicit VoiceFiles(const std::vector<std::filesystem::path>& dirs);
  // GET /voice/<lang>/<key>: the first directory's <key>.ogg or <key>.wav, or 404.
  // GET /voice/languages: {"languages": [the languages with at least one file]}.
  void serve(std::string_view path, httplib::Response& res) const;

 private:
  std::vector<StaticFiles> dirs_;
  std::vector<std::string> languages_;
};

}  // namespace kiosk::firmware::screen
