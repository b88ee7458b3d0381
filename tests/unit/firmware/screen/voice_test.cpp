// The voice of the patient's screen: what is spoken in each language (Japanese from its kana
// readings), the files espeak-ng makes (kept when their text did not change), and how the kiosk
// screen serves them (a clinic's recorded files first).
#include <catch2/catch.hpp>

#include <httplib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "firmware/kiosk/voice_render_command.hpp"
#include "firmware/screen/voice.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "tests/support/test_cards.hpp"
#include "tests/support/test_paths.hpp"

using kiosk::firmware::screen::render_voice;
using kiosk::firmware::screen::spoken_lines;
using kiosk::firmware::screen::SpokenLine;
using kiosk::firmware::screen::VoiceFiles;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Scratch = kiosk::test::TempDir;

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// A page directory with the given Japanese catalog and readings, and an English catalog.
fs::path page_with(const Scratch& s, const json& ja, const json& readings) {
  const fs::path web = s.path() / "web";
  write(web / "i18n" / "ja.json", ja.dump());
  write(web / "i18n" / "ja.reading.json", readings.dump());
  write(web / "i18n" / "en.json", json{{"pin.title", "Enter your PIN"}, {"staff.title", "Desk"}}.dump());
  return web;
}

std::string error_of(const fs::path& web, const std::vector<std::string>& langs) {
  try {
    (void)spoken_lines(web, langs);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// The samples of a 16-bit mono WAV file espeak-ng wrote (after its 44-byte header).
std::vector<std::int16_t> samples_of(const fs::path& wav) {
  std::ifstream in(wav, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::int16_t> out;
  for (std::size_t i = 44; i + 1 < bytes.size(); i += 2) {
    out.push_back(static_cast<std::int16_t>(static_cast<unsigned char>(bytes[i]) |
                                            (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8)));
  }
  return out;
}

}  // namespace

TEST_CASE("voice: every text of the patient's screens is spoken in all seven languages, Japanese from kana") {
  // The source tree's catalogs (a packaging build's default is /usr/share/kiosk/web).
  const auto lines = spoken_lines(kiosk::test::source_dir() / "firmware" / "screen" / "web");
  std::map<std::string, std::set<std::string>> keys;
  for (const auto& line : lines) {
    CHECK_FALSE(line.text.empty());
    CHECK(line.key.rfind("staff.", 0) != 0);  // the staff pages are never spoken
    keys[line.lang].insert(line.key);
  }
  REQUIRE(keys.size() == kiosk::firmware::screen::voice_languages().size());
  // Every language says the same things.
  for (const auto& [lang, set] : keys) {
    INFO(lang);
    CHECK(set == keys.at("ja"));
  }
  const auto& ja = keys.at("ja");
  for (const char* key : {"idle.title", "pin.title", "pin.wrong", "pin.wrong.next", "face.guidance.move-closer",
                          "result.next.valid", "session.cancelled", "common.timeout_soon", "pin.tries_left.1",
                          "pin.tries_left.3"}) {
    INFO(key);
    CHECK(ja.count(key) == 1);
  }
  CHECK(ja.count("pin.tries_left") == 0);               // only with its number
  CHECK(ja.count("result.certificate.expires") == 0);  // a date only the screen knows
  // The Japanese lines are the readings: no kanji, and the number read as it is said.
  const auto tries = std::find_if(lines.begin(), lines.end(),
                                  [](const SpokenLine& l) { return l.lang == "ja" && l.key == "pin.tries_left.1"; });
  REQUIRE(tries != lines.end());
  CHECK(tries->text.find("いっかい") != std::string::npos);
  const auto english = std::find_if(lines.begin(), lines.end(),
                                    [](const SpokenLine& l) { return l.lang == "en" && l.key == "pin.tries_left.2"; });
  REQUIRE(english != lines.end());
  CHECK(english->text.find('2') != std::string::npos);
}

TEST_CASE("voice: a Japanese text without a reading, a reading with kanji or for no text is refused by name") {
  Scratch s;
  const json ja{{"pin.title", "暗証番号を入力してください"}, {"reading.title", "カードを読み取っています"}};
  SECTION("a text without its reading") {
    const auto web = page_with(s, ja, json{{"pin.title", "あんしょうばんごうをにゅうりょくしてください"}});
    const auto error = error_of(web, {"ja"});
    CHECK(error.find("reading.title") != std::string::npos);
    CHECK(error.find("no reading") != std::string::npos);
  }
  SECTION("a reading that still has a kanji") {
    const auto web = page_with(s, ja, json{{"pin.title", "暗証番号をにゅうりょくしてください"}, {"reading.title", "カードをよみとっています"}});
    const auto error = error_of(web, {"ja"});
    CHECK(error.find("pin.title") != std::string::npos);
    CHECK(error.find("kanji") != std::string::npos);
  }
  SECTION("a reading of a text the catalog does not have") {
    const auto web = page_with(s, ja, json{{"pin.title", "あんしょうばんごう"}, {"reading.title", "よみとり"}, {"pin.gone", "きえた"}});
    CHECK(error_of(web, {"ja"}).find("pin.gone") != std::string::npos);
  }
  SECTION("other languages need no reading; the staff's texts are not spoken") {
    const auto web = page_with(s, ja, json::object());
    const auto lines = spoken_lines(web, {"en"});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].key == "pin.title");
    CHECK(lines[0].text == "Enter your PIN");
  }
  SECTION("a language without a voice") {
    const auto web = page_with(s, ja, json::object());
    CHECK(error_of(web, {"fr"}).find("no voice") != std::string::npos);
  }
}

TEST_CASE("voice: espeak-ng speaks each line into a file once, and again only when its text changes") {
  Scratch s;
  std::vector<SpokenLine> lines{{"ja", "pin.title", "あんしょうばんごうをにゅうりょくしてください"},
                                {"en", "pin.title", "Enter your PIN"}};
  // As espeak-ng writes it (WAV), to hear that it is speech.
  kiosk::firmware::screen::VoiceRenderOptions wav;
  wav.format = kiosk::firmware::screen::VoiceFormat::Wav;
  const fs::path wav_dir = s.path() / "wav";
  const auto spoken = render_voice(lines, wav_dir, wav);
  CHECK(spoken.rendered == 2);
  for (const char* file : {"ja/pin.title.wav", "en/pin.title.wav"}) {
    INFO(file);
    const auto samples = samples_of(wav_dir / file);
    // Speech: more than half a second at espeak-ng's 22050 Hz, and not silence.
    CHECK(samples.size() > 11025);
    const auto loudest = std::max_element(samples.begin(), samples.end(),
                                          [](std::int16_t a, std::int16_t b) { return std::abs(a) < std::abs(b); });
    REQUIRE(loudest != samples.end());
    CHECK(std::abs(*loudest) > 3000);
  }

  // The default: Ogg Opus, much smaller.
  const fs::path out = s.path() / "voice";
  const auto first = render_voice(lines, out);
  INFO((first.failures.empty() ? std::string() : first.failures.front()));
  CHECK(first.rendered == 2);
  CHECK(first.failures.empty());
  for (const char* lang : {"ja", "en"}) {
    const fs::path ogg = out / lang / "pin.title.ogg";
    std::ifstream in(ogg, std::ios::binary);
    std::string magic(4, '\0');
    in.read(magic.data(), 4);
    CHECK(magic == "OggS");
    CHECK(fs::file_size(ogg) * 5 < fs::file_size(wav_dir / lang / "pin.title.wav"));
  }
  const auto second = render_voice(lines, out);
  CHECK(second.rendered == 0);
  CHECK(second.kept == 2);

  lines[1].text = "Please enter your PIN";
  const auto third = render_voice(lines, out);
  CHECK(third.rendered == 1);
  CHECK(third.kept == 1);
  const json manifest = json::parse(std::ifstream(out / "manifest.json"));
  CHECK(manifest.at("en/pin.title").at("text") == "Please enter your PIN");
  CHECK(manifest.at("ja/pin.title").at("voice") == "ja");
  CHECK(manifest.at("ja/pin.title").at("format") == "opus");
  // No temporary file is left behind.
  for (const auto& entry : fs::recursive_directory_iterator(out)) CHECK(entry.path().extension() != ".part");
}

TEST_CASE("voice: without espeak-ng the render says what to install, and kiosk voice-render exits 2") {
  Scratch s;
  kiosk::firmware::screen::VoiceRenderOptions options;
  options.espeak = (s.path() / "no-such-espeak").string();
  const std::vector<SpokenLine> lines{{"en", "pin.title", "Enter your PIN"}};
  std::string error;
  try {
    (void)render_voice(lines, s.path() / "voice", options);
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  CHECK(error.find("apt-get install espeak-ng") != std::string::npos);

  // Where starting it cannot fail early (qemu-user), the child's 127 says the same.
  const fs::path not_found = s.path() / "espeak-127";
  write(not_found, "#!/bin/sh\nexit 127\n");
  fs::permissions(not_found, fs::perms::owner_all);
  options.espeak = not_found.string();
  error.clear();
  try {
    (void)render_voice(lines, s.path() / "voice-127", options);
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  CHECK(error.find("apt-get install espeak-ng") != std::string::npos);
  options.espeak = (s.path() / "no-such-espeak").string();

  kiosk::firmware::kiosk::VoiceRenderCommand command;
  command.out = s.path() / "voice2";
  command.web = kiosk::test::source_dir() / "firmware" / "screen" / "web";  // not a packaging build's /usr/share
  command.langs = {"en"};
  command.espeak = options.espeak;
  command.no_cache = true;  // the machine's cache would answer without espeak-ng
  std::ostringstream out;
  std::ostringstream err;
  CHECK(kiosk::firmware::kiosk::run_voice_render(command, out, err) == 2);
  CHECK(err.str().find("espeak-ng") != std::string::npos);
}

TEST_CASE("voice files: a clinic's recorded file before the rendered one, the languages listed, nothing else served") {
  Scratch s;
  const fs::path recorded = s.path() / "recorded";
  const fs::path rendered = s.path() / "rendered";
  write(recorded / "ja" / "pin.title.wav", "RIFF-recorded");
  write(rendered / "ja" / "pin.title.ogg", "OggS-rendered");
  write(rendered / "ja" / "pin.wrong.ogg", "OggS-rendered-wrong");
  write(rendered / "ja" / "pin.wrong.wav", "RIFF-older");
  write(rendered / "en" / "pin.title.ogg", "OggS-en");
  write(s.path() / "secret.wav", "not for the page");
  const VoiceFiles files({recorded, rendered, s.path() / "absent"});

  auto get = [&](const std::string& path) {
    httplib::Response res;
    res.status = 200;
    files.serve(path, res);
    return res;
  };
  auto res = get("/voice/ja/pin.title");
  CHECK(res.status == 200);
  CHECK(res.body == "RIFF-recorded");
  CHECK(res.get_header_value("Content-Type") == "audio/wav");
  res = get("/voice/ja/pin.wrong");
  CHECK(res.body == "OggS-rendered-wrong");  // a directory's Ogg before its WAV
  CHECK(res.get_header_value("Content-Type") == "audio/ogg");
  CHECK(get("/voice/en/pin.title").body == "OggS-en");
  const json languages = json::parse(get("/voice/languages").body);
  CHECK(languages.at("languages") == json::array({"ja", "en"}));
  for (const char* refused : {"/voice/ja/../../secret", "/voice/../secret", "/voice/fr/pin.title", "/voice/ja/pin.title.wav",
                              "/voice/ja/pin.title.ogg", "/voice/ja/", "/voice/ja/missing", "/voice/ja/.hidden"}) {
    INFO(refused);
    CHECK(get(refused).status == 404);
  }
}

TEST_CASE("voice: another build tree or clone takes unchanged files from the machine's cache") {
  Scratch s;
  const std::vector<SpokenLine> lines{{"ja", "pin.title", "あんしょうばんごうをにゅうりょくしてください"},
                                      {"en", "pin.title", "Enter your PIN"}};
  kiosk::firmware::screen::VoiceRenderOptions options;
  options.cache_dir = s.path() / "cache";
  const auto first = render_voice(lines, s.path() / "tree-1", options);
  CHECK(first.rendered == 2);
  CHECK(first.cached == 0);
  const auto second = render_voice(lines, s.path() / "tree-2", options);
  CHECK(second.rendered == 0);
  CHECK(second.cached == 2);
  CHECK(fs::file_size(s.path() / "tree-2" / "ja" / "pin.title.ogg") == fs::file_size(s.path() / "tree-1" / "ja" / "pin.title.ogg"));
  const json manifest = json::parse(std::ifstream(s.path() / "tree-2" / "manifest.json"));
  CHECK(manifest.at("en/pin.title").at("text") == "Enter your PIN");
  // A changed text is spoken again, and a damaged cache entry is not used.
  for (const auto& entry : fs::directory_iterator(options.cache_dir)) std::ofstream(entry.path(), std::ios::trunc) << "x";
  const auto third = render_voice({{"en", "pin.title", "Enter your PIN"}}, s.path() / "tree-3", options);
  CHECK(third.rendered == 1);
  CHECK(third.cached == 0);
}
