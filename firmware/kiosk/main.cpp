// kiosk: the field program of the clinic reception kiosk. It contains no simulator.
//   kiosk run              the firmware on this machine's devices and the configured service
//   kiosk diag             diagnostics for field technicians
//   kiosk staff-passcode   the hash of a staff passcode for the configuration
//   kiosk voice-render     the voice files of the patient's screen (espeak-ng)
// The simulator moved to the QA program: `kiosk sim ...` and `kiosk diag --sim ...` say so and
// run `kiosk-sim kiosk ...` / `kiosk-sim diag ...` when it is installed.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "firmware/kiosk/diag_command.hpp"
#include "firmware/kiosk/run_command.hpp"
#include "firmware/kiosk/staff_passcode_command.hpp"
#include "firmware/kiosk/voice_render_command.hpp"
#include "firmware/staff/staff_auth.hpp"

namespace {

// kiosk-sim: $KIOSK_SIM, beside this program (installed: /usr/bin; built: ../kiosk_sim/), or PATH.
std::string find_kiosk_sim() {
  if (const char* env = std::getenv("KIOSK_SIM"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& candidate : {self.parent_path() / "kiosk-sim", self.parent_path().parent_path() / "kiosk_sim" / "kiosk-sim"}) {
      if (std::filesystem::exists(candidate, ec)) return candidate.string();
    }
  }
  return "kiosk-sim";
}

// Runs `kiosk-sim <args>` in place of this process; returns only when that fails.
int forward_to_kiosk_sim(const std::string& moved, std::vector<std::string> args) {
  std::cerr << "kiosk: `" << moved << "` moved to the QA program: kiosk-sim " << args.front()
            << " (the field program carries no simulator)\n";
  const std::string program = find_kiosk_sim();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp(program.c_str(), argv.data());
  std::cerr << "kiosk: kiosk-sim is not installed here (" << program << "): install the kiosk-sim package\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fw = kiosk::firmware;
  // Nothing the kiosk writes is for other users: files it makes are at most group-readable (the
  // result files, for the reception system); the journal, bundles and keys are 0600 by their own
  // modes.
  ::umask(027);
  // The simulator's old entry points, before anything else is parsed.
  if (argc >= 2 && std::string(argv[1]) == "sim") {
    std::vector<std::string> args{"kiosk"};
    for (int i = 2; i < argc; ++i) args.emplace_back(argv[i]);
    return forward_to_kiosk_sim("kiosk sim", args);
  }
  if (argc >= 2 && std::string(argv[1]) == "diag") {
    bool simulated = false;
    for (int i = 2; i < argc; ++i) simulated = simulated || std::string(argv[i]) == "--sim";
    if (simulated) {
      std::vector<std::string> args{"diag"};
      for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--sim") continue;
        args.push_back(a == "--sim-camera" ? "--camera" : a == "--sim-service" ? "--service" : a);
      }
      return forward_to_kiosk_sim("kiosk diag --sim", args);
    }
  }

  CLI::App app{"kiosk: firmware of the clinic reception kiosk for My Number health insurance cards.\n"
               "The patient places the card; the kiosk checks it (JPKI user-authentication certificate), authenticates\n"
               "the holder by face or PIN (3 tries, counted on the card), confirms eligibility with the service, takes\n"
               "the consent and prescription choice, and hands the result to the reception system.\n"
               "The simulator is the QA program kiosk-sim (kiosk-sim kiosk, kiosk-sim diag, kiosk-sim run)."};
  app.require_subcommand(1);

  std::string config;
  int patients = 0;
  auto* run = app.add_subcommand("run", "Run the kiosk on this machine's readers, camera and the configured service");
  run->add_option("--config", config, "Configuration file (see firmware/kiosk/kiosk.example.json)")->required();
  run->add_option("--patients", patients, "Receptions to serve before exiting (0 = until stopped)")->capture_default_str();
  int run_screen = -1;
  auto* run_screen_option = run->add_option("--screen", run_screen,
                                            "Serve the kiosk screen on this loopback port instead of screen.port (-1: the terminal, 0: any free port)");

  fw::kiosk::DiagOptions diag_options;
  std::string diag_config;
  std::string diag_bundle;
  auto* diag = app.add_subcommand("diag", "Diagnostics for field technicians: host, USB, PC/SC, test card, camera, eligibility service (exit code 0 PASS, 1 WARN, 2 FAIL)");
  diag->add_option("--config", diag_config, "Configuration file (default: built-in defaults)");
  diag->add_flag("--json", diag_options.json, "Print JSON for tools");
  diag->add_option("--watch", diag_options.watch_seconds, "Re-check every N seconds, printing USB and reader events in between (Ctrl-C ends)");
  diag->add_option("--count", diag_options.count, "With --watch: stop after this many rounds");
  diag->add_option("--bundle", diag_bundle, "Write a support bundle (JSON: versions, redacted configuration, results; no personal data)");

  int passcode_iterations = fw::staff::kDefaultPasscodeIterations;
  auto* staff_passcode = app.add_subcommand(
      "staff-passcode",
      "Print the hash of a staff passcode read from standard input, for staff.accounts[].passcode_hash of the configuration");
  staff_passcode->add_option("--iterations", passcode_iterations, "PBKDF2-HMAC-SHA256 iterations")
      ->capture_default_str()
      ->check(CLI::Range(fw::staff::kMinPasscodeIterations, fw::staff::kMaxPasscodeIterations));

  fw::kiosk::VoiceRenderCommand voice;
  std::string voice_out;
  std::string voice_web;
  auto* voice_render = app.add_subcommand(
      "voice-render", "Make the voice files of the patient's screen with espeak-ng (kept when their text did not change)");
  voice_render->add_option("--out", voice_out, "Directory of the files (default: the built-in voice directory)");
  voice_render->add_option("--web", voice_web, "The page's files, with i18n/ (default: the built-in ones)");
  voice_render->add_option("--lang", voice.langs, "Only these languages (ja, en, zh-Hans, zh-Hant, ko, vi, pt-BR)");
  voice_render->add_option("--espeak", voice.espeak, "The espeak-ng program")->capture_default_str();
  std::string voice_cache;
  voice_render->add_option("--cache", voice_cache, "Files made before on this machine (default $KIOSK_VOICE_CACHE or ~/.cache/kiosk-voice)");
  voice_render->add_flag("--no-cache", voice.no_cache, "Speak every changed text again, use no cache");
  voice_render->add_flag("--wav", voice.wav, "WAV files as espeak-ng writes them (13 times larger) instead of Ogg Opus (opusenc)");
  voice_render->add_option("--jobs", voice.jobs, "espeak-ng processes at a time (0: one per processor)")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*diag) {
      diag_options.bundle = diag_bundle;
      return fw::kiosk::run_diagnostics(std::filesystem::path(diag_config), diag_options);
    }
    if (*run) {
      return fw::kiosk::run_on_hardware(config, patients,
                                        run_screen_option->count() > 0 ? std::optional<int>(run_screen) : std::nullopt);
    }
    if (*voice_render) {
      voice.out = voice_out;
      voice.web = voice_web;
      voice.cache = voice_cache;
      return fw::kiosk::run_voice_render(voice, std::cout, std::cerr);
    }
    return fw::kiosk::run_staff_passcode(stdin, std::cout, std::cerr, passcode_iterations);
  } catch (const std::exception& e) {
    std::cerr << "kiosk: " << e.what() << "\n";
    return *diag ? 2 : 1;
  }
}
