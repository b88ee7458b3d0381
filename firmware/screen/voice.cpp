#include "firmware/screen/voice.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/crypto/digest.hpp"

extern char** environ;  // the renderer's environment, handed to espeak-ng

namespace kiosk::firmware::screen {
namespace {

using json = nlohmann::json;

// The catalogs' keys of the staff pages and of the page's frame (language names, the toolbar's
// labels): never spoken to the patient.
constexpr std::string_view kUnspokenPrefixes[] = {"staff.", "toolbar.", "lang.", "app."};

// Texts with a placeholder that are spoken: the placeholder, its values, and the Japanese
// reading of each value (in the reading's own wording: あと{n}かい -> あと いっかい).
struct SpokenPlaceholder {
  std::string_view key;
  std::string_view placeholder;
  std::vector<std::string> values;
  std::vector<std::string> ja_readings;  // of each value, as the reading around it needs
};
const std::vector<SpokenPlaceholder>& spoken_placeholders() {
  static const std::vector<SpokenPlaceholder> list{{"pin.tries_left", "{n}", {"1", "2", "3"}, {"いっ", "に", "さん"}}};
  return list;
}

json read_json_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("voice: cannot read " + file.string());
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error("voice: " + file.string() + " is not valid JSON: " + e.what());
  }
}

bool unspoken(std::string_view key) {
  return std::any_of(std::begin(kUnspokenPrefixes), std::end(kUnspokenPrefixes),
                     [&](std::string_view prefix) { return key.substr(0, prefix.size()) == prefix; });
}

std::string replace_all(std::string text, std::string_view what, std::string_view with) {
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
  return text;
}

// The first kanji (CJK unified ideograph, U+3400..U+9FFF) of a UTF-8 text, if any.
std::optional<std::string> first_kanji(std::string_view text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if ((b0 & 0xF0) != 0xE0) continue;
    const auto b1 = static_cast<unsigned char>(text[i + 1]);
    const auto b2 = static_cast<unsigned char>(text[i + 2]);
    const unsigned code = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
    if (code >= 0x3400 && code <= 0x9FFF) return std::string(text.substr(i, 3));
  }
  return std::nullopt;
}

const VoiceLanguage* find_language(std::string_view lang) {
  for (const auto& l : voice_languages()) {
    if (l.lang == lang) return &l;
  }
  return nullptr;
}

// A file name's part of a key: the catalogs' keys are [a-z0-9._-]; anything else is refused.
bool file_safe_key(std::string_view key) {
  if (key.empty() || key.front() == '.') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

// A program with stdin/stdout redirected (-1: /dev/null); stderr to /dev/null. Throws when it
// cannot be started at all, naming the package to install.
pid_t spawn(std::vector<std::string> args, int in_fd, int out_fd, const char* package) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (out_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("voice: cannot start " + args.front() + ": " + std::strerror(rc) + " (install Debian's " +
                             package + ": apt-get install " + package + ")");
  }
  return pid;
}

// The processes of one file: espeak-ng alone writing a WAV file, or espeak-ng piped into
// opusenc writing Ogg Opus.
std::vector<pid_t> spawn_render(const VoiceRenderOptions& options, std::string_view voice, const std::string& text,
                                const std::filesystem::path& out) {
  std::vector<std::string> speak{options.espeak, "-v", std::string(voice), "-s", std::to_string(options.words_per_minute)};
  if (options.format == VoiceFormat::Wav) {
    for (std::string a : {std::string("-w"), out.string(), std::string("--"), text}) speak.push_back(std::move(a));
    return {spawn(speak, -1, -1, "espeak-ng")};
  }
  for (std::string a : {std::string("--stdout"), std::string("--"), text}) speak.push_back(std::move(a));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("voice: pipe: ") + std::strerror(errno));
  std::vector<pid_t> pids;
  try {
    pids.push_back(spawn(speak, -1, pipe_fds[1], "espeak-ng"));
    pids.push_back(spawn({options.opusenc, "--quiet", "--bitrate", std::to_string(options.opus_kbps), "--downmix-mono",
                          "-", out.string()},
                         pipe_fds[0], -1, "opus-tools"));
  } catch (...) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    for (const pid_t pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    throw;
  }
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  return pids;
}

// "exited with 1", "killed by signal 9"; empty for a clean exit.
std::string exit_problem(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? std::string() : "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended abnormally";
}

// A file the render wrote: RIFF/WAVE or Ogg, with some sound after its headers.
bool plausible_sound(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(12, '\0');
  if (!in.read(head.data(), static_cast<std::streamsize>(head.size()))) return false;
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return false;
  if (head.compare(0, 4, "OggS") == 0) return size > 500;
  return head.compare(0, 4, "RIFF") == 0 && head.compare(8, 4, "WAVE") == 0 && size > 1000;
}

// The cache's name of a file: SHA-256 over everything that makes it.
std::string cache_name(const json& made_of, VoiceFormat format, int opus_kbps) {
  const std::string key = made_of.dump() + "|" + std::to_string(opus_kbps);
  const Bytes digest = core::crypto::sha256(ByteView(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name;
  for (const std::uint8_t b : digest) {
    name.push_back(kHex[b >> 4]);
    name.push_back(kHex[b & 0x0F]);
  }
  return name + (format == VoiceFormat::Wav ? ".wav" : ".ogg");
}

// Copies `from` to `to` through a temporary name beside `to` (whole or absent); false when it
// cannot.
bool copy_whole(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  const std::filesystem::path part = to.string() + ".part" + std::to_string(::getpid());
  std::filesystem::copy_file(from, part, std::filesystem::copy_options::overwrite_existing, ec);
  if (!ec) std::filesystem::rename(part, to, ec);
  if (ec) std::filesystem::remove(part, ec);
  return !ec;
}

const char* extension(VoiceFormat format) { return format == VoiceFormat::Wav ? ".wav" : ".ogg"; }
const char* format_name(VoiceFormat format) { return format == VoiceFormat::Wav ? "wav" : "opus"; }

}  // namespace

const std::vector<VoiceLanguage>& voice_languages() {
  // Debian 12's espeak-ng 1.51. Its Mandarin voice (cmn) is built without the extended
  // dictionary: it reads many hanzi poorly; recorded files can replace them (VoiceFiles).
  static const std::vector<VoiceLanguage> list{
      {"ja", "ja"}, {"en", "en-us"}, {"zh-Hans", "cmn"}, {"zh-Hant", "yue"}, {"ko", "ko"}, {"vi", "vi"}, {"pt-BR", "pt-br"}};
  return list;
}

std::vector<SpokenLine> spoken_lines(const std::filesystem::path& web_dir, const std::vector<std::string>& langs) {
  std::vector<std::string> wanted = langs;
  if (wanted.empty()) {
    for (const auto& l : voice_languages()) wanted.emplace_back(l.lang);
  }
  const std::filesystem::path i18n = web_dir / "i18n";
  std::vector<SpokenLine> lines;
  for (const auto& lang : wanted) {
    if (find_language(lang) == nullptr) throw std::runtime_error("voice: no voice for the language '" + lang + "'");
    const json catalog = read_json_file(i18n / (lang + ".json"));
    if (!catalog.is_object()) throw std::runtime_error("voice: " + (i18n / (lang + ".json")).string() + " is not an object");
    json readings = json::object();
    if (lang == "ja") {
      readings = read_json_file(i18n / "ja.reading.json");
      if (!readings.is_object()) throw std::runtime_error("voice: ja.reading.json is not an object");
      for (const auto& [key, reading] : readings.items()) {
        if (!catalog.contains(key)) throw std::runtime_error("voice: ja.reading.json has a reading for '" + key + "', which ja.json does not have");
        if (!reading.is_string()) throw std::runtime_error("voice: the reading of '" + key + "' is not a text");
        if (const auto kanji = first_kanji(reading.get<std::string>())) {
          throw std::runtime_error("voice: the reading of '" + key + "' still has a kanji (" + *kanji + "): write it in kana");
        }
      }
    }
    for (const auto& [key, value] : catalog.items()) {
      if (unspoken(key) || !value.is_string()) continue;
      if (!file_safe_key(key)) throw std::runtime_error("voice: the key '" + key + "' cannot name a file");
      std::string text = value.get<std::string>();
      if (lang == "ja") {
        if (!readings.contains(key)) {
          throw std::runtime_error("voice: '" + key + "' has no reading in ja.reading.json (espeak-ng reads kana only)");
        }
        text = readings.at(key).get<std::string>();
      }
      const std::string& this_key = key;  // clang 14 cannot capture a structured binding yet
      const auto placeholder = std::find_if(spoken_placeholders().begin(), spoken_placeholders().end(),
                                            [&](const SpokenPlaceholder& p) { return p.key == this_key; });
      if (placeholder != spoken_placeholders().end()) {
        for (std::size_t i = 0; i < placeholder->values.size(); ++i) {
          const std::string& spoken = lang == "ja" ? placeholder->ja_readings.at(i) : placeholder->values[i];
          lines.push_back({lang, key + "." + placeholder->values[i], replace_all(text, placeholder->placeholder, spoken)});
        }
        continue;
      }
      if (text.find('{') != std::string::npos) continue;  // a value only the screen knows (a date)
      if (text.empty()) continue;
      lines.push_back({lang, key, std::move(text)});
    }
  }
  return lines;
}

VoiceRenderReport render_voice(const std::vector<SpokenLine>& lines, const std::filesystem::path& out_dir,
                               const VoiceRenderOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw std::runtime_error("voice: cannot create " + out_dir.string() + ": " + ec.message());
  const std::filesystem::path manifest_file = out_dir / "manifest.json";
  json manifest = json::object();
  if (std::filesystem::exists(manifest_file, ec)) {
    try {
      manifest = read_json_file(manifest_file);
    } catch (const std::runtime_error&) {
      manifest = json::object();  // a broken manifest: everything is made again
    }
    if (!manifest.is_object()) manifest = json::object();
  }

  VoiceRenderReport report;
  struct Job {
    const SpokenLine* line;
    std::filesystem::path file;
    std::filesystem::path temporary;
    std::string voice;
    json manifest_entry;
  };
  std::vector<Job> todo;
  for (const auto& line : lines) {
    const VoiceLanguage* language = find_language(line.lang);
    if (language == nullptr || !file_safe_key(line.key)) {
      report.failures.push_back(line.lang + "/" + line.key + ": no voice for this language or key");
      continue;
    }
    const std::filesystem::path file = out_dir / line.lang / (line.key + extension(options.format));
    const json wanted{{"voice", language->voice}, {"text", line.text}, {"speed", options.words_per_minute},
                      {"format", format_name(options.format)}};
    const std::string name = line.lang + "/" + line.key;
    if (manifest.contains(name) && manifest[name] == wanted && plausible_sound(file)) {
      ++report.kept;
      if (!options.cache_dir.empty()) {  // the cache learns what this tree already has
        const std::filesystem::path cached = options.cache_dir / cache_name(wanted, options.format, options.opus_kbps);
        if (std::filesystem::exists(cached, ec)) {
          std::filesystem::last_write_time(cached, std::filesystem::file_time_type::clock::now(), ec);  // used
        } else {
          std::filesystem::create_directories(options.cache_dir, ec);
          copy_whole(file, cached);
        }
      }
      continue;
    }
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) throw std::runtime_error("voice: cannot create " + file.parent_path().string() + ": " + ec.message());
    manifest.erase(name);
    if (!options.cache_dir.empty()) {
      const std::filesystem::path cached = options.cache_dir / cache_name(wanted, options.format, options.opus_kbps);
      std::filesystem::create_directories(file.parent_path(), ec);
      if (plausible_sound(cached) && copy_whole(cached, file)) {
        std::filesystem::last_write_time(cached, std::filesystem::file_time_type::clock::now(), ec);  // used
        manifest[name] = wanted;
        ++report.cached;
        continue;
      }
    }
    // The other format's file of an earlier render goes (the page would play it first).
    std::filesystem::remove(out_dir / line.lang / (line.key + extension(options.format == VoiceFormat::Wav ? VoiceFormat::Opus : VoiceFormat::Wav)), ec);
    todo.push_back({&line, file, file.string() + ".part", std::string(language->voice), wanted});
  }

  // At most `jobs` files at a time; each result is checked as it ends, waiting for the oldest
  // (never another child of this program).
  struct Running {
    std::vector<pid_t> pids;
    std::size_t index;
  };
  std::vector<Running> running;
  std::string cannot_start;
  std::size_t next = 0;
  const std::size_t jobs = static_cast<std::size_t>(std::max(1, options.jobs));
  auto finish_one = [&] {
    const Running r = running.front();
    running.erase(running.begin());
    std::string problem;
    for (const pid_t pid : r.pids) {
      int status = 0;
      pid_t waited = -1;
      do {
        waited = ::waitpid(pid, &status, 0);
      } while (waited < 0 && errno == EINTR);
      const std::string p = waited < 0 ? std::string("was lost (waitpid failed)") : exit_problem(status);
      if (problem.empty() && !p.empty()) problem = (pid == r.pids.front() ? "espeak-ng " : "opusenc ") + p;
      // 127: the program could not be run at all (where posix_spawn cannot report it, as under
      // qemu-user): not one file's failure, the whole render's.
      if (waited >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127 && cannot_start.empty()) {
        const bool first = pid == r.pids.front();
        cannot_start = std::string("voice: cannot run ") + (first ? options.espeak : options.opusenc) + " (install Debian's " +
                       (first ? "espeak-ng: apt-get install espeak-ng" : "opus-tools: apt-get install opus-tools") + ")";
      }
    }
    const Job& job = todo[r.index];
    const std::string name = job.line->lang + "/" + job.line->key;
    if (problem.empty() && !plausible_sound(job.temporary)) problem = "no sound was written";
    std::error_code rename_ec;
    if (problem.empty()) std::filesystem::rename(job.temporary, job.file, rename_ec);
    if (rename_ec) problem = "cannot rename: " + rename_ec.message();
    if (!problem.empty()) {
      std::filesystem::remove(job.temporary, rename_ec);
      report.failures.push_back(name + ": " + problem);
      return;
    }
    manifest[name] = job.manifest_entry;
    ++report.rendered;
    if (!options.cache_dir.empty()) {  // best effort: a cache that cannot be written only costs time
      std::error_code cache_ec;
      std::filesystem::create_directories(options.cache_dir, cache_ec);
      if (!cache_ec) copy_whole(job.file, options.cache_dir / cache_name(job.manifest_entry, options.format, options.opus_kbps));
    }
  };
  try {
    while ((next < todo.size() && cannot_start.empty()) || !running.empty()) {
      if (next < todo.size() && running.size() < jobs && cannot_start.empty()) {
        const Job& job = todo[next];
        running.push_back({spawn_render(options, job.voice, job.line->text, job.temporary), next});
        ++next;
        continue;
      }
      finish_one();
    }
  } catch (...) {
    while (!running.empty()) finish_one();
    throw;
  }
  if (!cannot_start.empty()) throw std::runtime_error(cannot_start);

  const std::filesystem::path temporary_manifest = out_dir / "manifest.json.part";
  {
    std::ofstream out(temporary_manifest, std::ios::binary | std::ios::trunc);
    out << manifest.dump(1) << "\n";
    if (!out) throw std::runtime_error("voice: cannot write " + temporary_manifest.string());
  }
  std::filesystem::rename(temporary_manifest, manifest_file, ec);
  if (ec) throw std::runtime_error("voice: cannot write " + manifest_file.string() + ": " + ec.message());
  // The cache keeps what was used in the last 60 days (texts change with versions).
  if (!options.cache_dir.empty()) {
    const auto old_enough = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 60);
    for (std::filesystem::directory_iterator it(options.cache_dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code entry_ec;
      if (it->is_regular_file(entry_ec) && it->last_write_time(entry_ec) < old_enough && !entry_ec) {
        std::filesystem::remove(it->path(), entry_ec);
      }
    }
  }
  return report;
}

VoiceFiles::VoiceFiles(const std::vector<std::filesystem::path>& dirs) {
  std::set<std::string> present;
  for (const auto& dir : dirs) {
    dirs_.emplace_back(dir, false);
    for (const auto& l : voice_languages()) {
      std::error_code ec;
      for (std::filesystem::directory_iterator it(dir / l.lang, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".wav" || it->path().extension() == ".ogg") {
          present.emplace(l.lang);
          break;
        }
      }
    }
  }
  for (const auto& l : voice_languages()) {
    if (present.count(std::string(l.lang)) != 0) languages_.emplace_back(l.lang);
  }
}

void VoiceFiles::serve(std::string_view path, httplib::Response& res) const {
  constexpr std::string_view prefix = "/voice/";
  if (path.substr(0, prefix.size()) != prefix) return send_error(res, 404, "not found");
  path.remove_prefix(prefix.size());
  if (path == "languages") return send_json(res, 200, json{{"languages", languages_}});
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos || find_language(path.substr(0, slash)) == nullptr) {
    return send_error(res, 404, "not found");
  }
  // The page asks for the key; each directory's Ogg, then its WAV (a clinic may record either).
  const std::string key(path);
  if (key.ends_with(".ogg") || key.ends_with(".wav")) {
    return send_error(res, 404, "not found");  // the page never names the file type
  }
  for (const auto& dir : dirs_) {
    if (dir.serve_if_present(key + ".ogg", res) || dir.serve_if_present(key + ".wav", res)) return;
  }
  send_error(res, 404, "not found");
}

}  // namespace kiosk::firmware::screen
