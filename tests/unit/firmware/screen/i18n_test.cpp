// The kiosk page's texts: seven resource files with the same keys, no empty text, every key the
// page uses (literal in the page's scripts or built from a message, a face guidance, a validity or a
// method) present, every key present used, and no text written into the page's code.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/face/quality.hpp"
#include "core/reception/messages.hpp"
#include "core/reception/reception_machine.hpp"
#include "firmware/screen/diag_texts.hpp"
#include "firmware/screen/screen_json.hpp"
#include "firmware/screen/web_frontend.hpp"
#include "tests/support/test_paths.hpp"

using namespace kiosk;
using nlohmann::json;

namespace {

const std::filesystem::path kWeb = test::source_dir() / "firmware" / "screen" / "web";
const char* const kLanguages[] = {"ja", "en", "zh-Hans", "zh-Hant", "ko", "vi", "pt-BR"};

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> texts(const std::string& lang) {
  const json j = json::parse(read(kWeb / "i18n" / (lang + ".json")));
  REQUIRE(j.is_object());
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j.items()) {
    INFO(lang << ": " << key);
    REQUIRE(value.is_string());
    out[key] = value.get<std::string>();
  }
  return out;
}

std::set<std::string> keys_of(const std::map<std::string, std::string>& m) {
  std::set<std::string> keys;
  for (const auto& [k, v] : m) keys.insert(k);
  return keys;
}

// The page's scripts: the patient's screen (kiosk-base.js: texts, DOM helpers, languages;
// kiosk-screens.js: the screens; kiosk-media.js: live view and voice; kiosk.js: the app), its
// 資格確認書 path and the staff pages.
const char* const kScripts[] = {"kiosk-base.js", "kiosk-screens.js", "kiosk-media.js", "kiosk.js", "eligibility-certificate.js", "staff.js"};
// The script that holds the page's list of languages.
const char* const kLanguageScript = "kiosk-base.js";

// Keys written as string literals in the scripts: 'a.b' or "a.b_c.d-e".
std::set<std::string> literal_keys_in_script() {
  const std::regex literal(R"((['"])([a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+)\1)");
  std::set<std::string> keys;
  for (const char* file : kScripts) {
    const std::string script = read(kWeb / file);
    for (auto it = std::sregex_iterator(script.begin(), script.end(), literal); it != std::sregex_iterator(); ++it) {
      keys.insert((*it)[2].str());
    }
  }
  return keys;
}

std::vector<core::reception::Message> all_messages() {
  std::vector<core::reception::Message> out;
  for (int i = 1;; ++i) {
    const auto m = static_cast<core::reception::Message>(i);
    if (std::string(core::reception::info(m).key).empty()) break;
    out.push_back(m);
  }
  return out;
}

std::vector<std::string> all_guidance() {
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    const std::string name = core::face::to_string(static_cast<core::face::Guidance>(i));
    if (name == "unknown") break;
    out.push_back(name);
  }
  return out;
}

// The keys the page builds at run time from what a screen carries.
std::set<std::string> dynamic_keys() {
  std::set<std::string> keys;
  for (const core::reception::Message m : all_messages()) {
    keys.insert(core::reception::info(m).key);
    keys.insert(std::string(core::reception::info(m).key) + ".next");
  }
  for (const std::string& g : all_guidance()) keys.insert("face.guidance." + g);
  using V = core::eligibility::QualificationValidity;
  for (const V v : {V::Valid, V::Invalid, V::InvalidNewerQualification, V::NoQualification, V::MultipleMatches,
                    V::ValidUnregistered}) {
    keys.insert(std::string("result.validity.") + firmware::screen::validity_name(v));
  }
  for (const core::reception::Method m : {core::reception::Method::Face, core::reception::Method::Pin, core::reception::Method::Visual}) {
    keys.insert(std::string("method.") + core::reception::to_string(m));
    keys.insert(std::string("method.") + core::reception::to_string(m) + ".hint");
  }
  for (const std::string_view k : firmware::screen::desk_outcome_keys()) keys.emplace(k);
  for (const std::string_view k : firmware::screen::diagnostics_text_keys()) keys.emplace(k);
  return keys;
}

std::set<std::string> placeholders(const std::string& text) {
  static const std::regex placeholder(R"(\{([a-z_]+)\})");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), placeholder); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

TEST_CASE("i18n: the seven languages have the same keys and no empty text") {
  const auto reference = texts("ja");
  REQUIRE(reference.size() > 100);
  std::set<std::string> names;
  for (const char* lang : kLanguages) {
    INFO(lang);
    const auto t = texts(lang);
    CHECK(keys_of(t) == keys_of(reference));
    for (const auto& [key, value] : t) {
      INFO(key);
      CHECK_FALSE(blank(value));
      CHECK(value.find("TODO") == std::string::npos);
    }
    names.insert(t.at("lang.native_name"));
  }
  CHECK(names.size() == std::size(kLanguages));
}

TEST_CASE("i18n: the page loads exactly the seven language files, Japanese first, beside the Japanese readings") {
  const std::string script = read(kWeb / kLanguageScript);
  const std::regex langs(R"(const LANGS = \[([^\]]*)\])");
  std::smatch m;
  REQUIRE(std::regex_search(script, m, langs));
  std::string expected;
  for (const char* lang : kLanguages) expected += std::string(expected.empty() ? "" : ", ") + "'" + lang + "'";
  CHECK(m[1].str() == expected);
  CHECK(script.find("const DEFAULT_LANG = 'ja';") != std::string::npos);
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kWeb / "i18n")) files.insert(entry.path().stem().string());
  // ... and the kana readings the voice speaks Japanese from (firmware/screen/voice.hpp).
  std::set<std::string> expected_files(std::begin(kLanguages), std::end(kLanguages));
  expected_files.insert("ja.reading");
  CHECK(files == expected_files);
}

TEST_CASE("i18n: every key the page's scripts use is in every language") {
  const std::set<std::string> used = literal_keys_in_script();
  REQUIRE(used.size() > 50);
  for (const char* lang : kLanguages) {
    const auto t = texts(lang);
    for (const std::string& key : used) {
      INFO(lang << ": " << key);
      CHECK(t.count(key) == 1);
    }
  }
}

TEST_CASE("i18n: every numbered message, face guidance, validity and method has its text in every language") {
  const auto messages = all_messages();
  REQUIRE(messages.size() >= 21);
  REQUIRE(all_guidance().size() >= 11);
  const std::set<std::string> needed = dynamic_keys();
  for (const char* lang : kLanguages) {
    const auto t = texts(lang);
    for (const std::string& key : needed) {
      INFO(lang << ": " << key);
      CHECK(t.count(key) == 1);
    }
  }
}

TEST_CASE("i18n: no text is left unused") {
  std::set<std::string> used = literal_keys_in_script();
  const std::set<std::string> built = dynamic_keys();
  used.insert(built.begin(), built.end());
  for (const std::string& key : keys_of(texts("ja"))) {
    INFO(key);
    CHECK(used.count(key) == 1);
  }
}

TEST_CASE("i18n: placeholders match the Japanese text") {
  const auto reference = texts("ja");
  for (const char* lang : kLanguages) {
    const auto t = texts(lang);
    for (const auto& [key, value] : t) {
      INFO(lang << ": " << key << " = " << value);
      if (key == "result.ratio.value") {  // 3割 in Japanese, 30 % elsewhere
        const auto p = placeholders(value);
        CHECK(p.size() == 1);
        CHECK((p.count("tenths") + p.count("percent")) == 1);
        continue;
      }
      CHECK(placeholders(value) == placeholders(reference.at(key)));
    }
  }
  CHECK(placeholders(reference.at("pin.tries_left")) == std::set<std::string>{"n"});
}

TEST_CASE("i18n: the page's code and markup hold no text of their own") {
  // The scripts are plain ASCII: every word a patient or staff member reads comes from the resource files.
  for (const char* file : kScripts) {
    const std::string script = read(kWeb / file);
    const auto first_non_ascii =
        std::find_if(script.begin(), script.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    INFO(file << " byte " << (first_non_ascii - script.begin()) << " is not ASCII: write such characters as \\u escapes");
    CHECK(first_non_ascii == script.end());
  }
  // The pages: tags and comments only, no text between them; the title is set by the script.
  for (const char* page : {"index.html", "staff.html"}) {
    INFO(page);
    std::string html = read(kWeb / page);
    html = std::regex_replace(html, std::regex(R"(<!--[\s\S]*?-->)"), "");
    html = std::regex_replace(html, std::regex(R"(<[^>]*>)"), "");
    CHECK(blank(html));
  }
}

TEST_CASE("i18n: the Japanese texts use the terms of real receptions") {
  const auto ja = texts("ja");
  CHECK(ja.at("idle.title").find("マイナ保険証") != std::string::npos);
  CHECK(ja.at("method.pin") == "暗証番号");
  CHECK(ja.at("method.face") == "顔認証");
  CHECK(ja.at("registration.title") == "保険証利用登録");
  CHECK(ja.at("service.unavailable.next").find("資格情報のお知らせ") != std::string::npos);
  CHECK(ja.at("pin.locked.next").find("市区町村窓口") != std::string::npos);
  CHECK(ja.at("card.certificate_rejected.next").find("市区町村窓口") != std::string::npos);
  // The Japanese guidance matches the face module's own wording.
  for (int i = 0;; ++i) {
    const auto g = static_cast<core::face::Guidance>(i);
    if (std::string(core::face::to_string(g)) == "unknown") break;
    INFO(core::face::to_string(g));
    CHECK(ja.at(std::string("face.guidance.") + core::face::to_string(g)) == core::face::message_ja(g));
  }
}
