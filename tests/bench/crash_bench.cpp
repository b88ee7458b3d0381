// The kiosk killed at random moments (issue 18, crash test): `kiosk-sim kiosk` runs PIN
// receptions with piped answers and is killed with SIGKILL at a random moment of each; after
// every kill the files it leaves are checked:
//   - the journal: SQLite's integrity_check is "ok" and its entries read back, in order;
//   - the result files: every OQS_res_*.xml is complete (parses, with its header, body and
//     ProcessingResultStatus); a half-written file never carries that name;
//   - the card file: complete and valid (sim/card/card_file_check), and its PIN retry counter
//     consistent with what the reception could have done: unchanged, one less after the wrong
//     PIN it typed, or back to the maximum after the right one.
//
//   crash_bench [--kills 200] [--world DIR] [--kiosk-sim PATH] [--seed N]
//
// Prints the figures; exit 0 when every check held after every kill.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <pugixml.hpp>

#include "sim/card/card_file_check.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Figures {
  int runs = 0;
  int killed_mid_reception = 0;  // SIGKILL landed while the program ran
  int finished_before_kill = 0;
  int journal_ok = 0;
  int journal_bad = 0;
  long journal_entries = 0;
  int result_files_complete = 0;
  int result_files_partial = 0;
  int temp_files_left = 0;
  int card_files_ok = 0;
  int card_files_bad = 0;
  int counters_consistent = 0;
  int counters_inconsistent = 0;
  int counter_unchanged = 0, counter_decremented = 0, counter_reset = 0;
};

// Runs `kiosk-sim kiosk` with `answers` on its standard input; kills it after `after` (or lets it
// finish when it ends first). Returns true when the kill landed while it ran.
bool run_and_kill(const std::string& kiosk_sim, const fs::path& world, const fs::path& card, const std::string& answers,
                  std::chrono::milliseconds after, std::chrono::milliseconds limit) {
  int in[2];
  if (::pipe(in) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::close(in[0]);
    ::close(in[1]);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    const std::string world_arg = world.string();
    const std::string card_arg = card.string();
    ::execl(kiosk_sim.c_str(), kiosk_sim.c_str(), "kiosk", "--world", world_arg.c_str(), "--card", card_arg.c_str(), "--no-face",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in[0]);
  (void)!::write(in[1], answers.data(), answers.size());
  ::close(in[1]);
  const auto started = Clock::now();
  const auto deadline = started + (after.count() >= 0 ? after : limit);
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;  // finished first
    std::this_thread::sleep_for(2ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return true;
}

// Reads the journal; false when SQLite finds damage or the entries do not read back in order.
bool journal_intact(const fs::path& file, long& entries) {
  if (!fs::exists(file)) return true;  // killed before it was made
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  bool ok = false;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(s, 0);
    ok = text != nullptr && std::string(reinterpret_cast<const char*>(text)) == "ok";
  }
  sqlite3_finalize(s);
  if (ok && sqlite3_prepare_v2(db, "SELECT id, at_us, kind, event FROM entries ORDER BY id", -1, &s, nullptr) == SQLITE_OK) {
    long long last_id = 0;
    entries = 0;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const long long id = sqlite3_column_int64(s, 0);
      if (id <= last_id || sqlite3_column_text(s, 2) == nullptr || sqlite3_column_text(s, 3) == nullptr) ok = false;
      last_id = id;
      ++entries;
    }
    ok = ok && rc == SQLITE_DONE;
    sqlite3_finalize(s);
  } else {
    ok = false;  // the table must be there once the file is
  }
  sqlite3_close(db);
  return ok;
}

bool result_file_complete(const fs::path& file) {
  pugi::xml_document doc;
  if (!doc.load_file(file.c_str())) return false;
  const pugi::xml_node msg = doc.child("XmlMsg");
  return msg && msg.child("MessageHeader") && msg.child("MessageBody") && msg.child("MessageBody").child("ProcessingResultStatus");
}

int tries_left(const nlohmann::json& card) { return card["auth"]["pin"]["tries_left"].get<int>(); }
int max_tries(const nlohmann::json& card) { return card["auth"]["pin"]["max_tries"].get<int>(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crash_bench: kill -9 the kiosk at random moments of PIN receptions and check what it leaves"};
  int kills = 200;
  unsigned seed = 18;
  std::string world = (fs::temp_directory_path() / "kiosk-crash-bench").string();
#ifdef KIOSK_SIM_EXE
  std::string kiosk_sim = KIOSK_SIM_EXE;
#else
  std::string kiosk_sim = "kiosk-sim";
#endif
  app.add_option("--kills", kills, "Receptions to kill")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--world", world, "The simulated world (made fresh)")->capture_default_str();
  app.add_option("--kiosk-sim", kiosk_sim, "The kiosk-sim program")->capture_default_str();
  app.add_option("--seed", seed, "Seed of the kill moments")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  fs::remove_all(world);
  const fs::path card = fs::path(world) / "cards" / "taro.card.json";
  const fs::path journal = fs::path(world) / "journal.sqlite";
  const fs::path outbox = fs::path(world) / "outbox";
  // One reception to the end: makes the world and measures how long a reception takes.
  const std::string right = "p\n1234\ny\ne\n\n";
  const std::string wrong_then_right = "p\n0000\n1234\ny\ne\n\n";
  const auto t0 = Clock::now();
  if (run_and_kill(kiosk_sim, world, card, right, -1ms, 120s) || !fs::exists(card)) {
    std::cerr << "crash_bench: the first reception did not finish (" << kiosk_sim << ")\n";
    return 2;
  }
  const auto first = Clock::now() - t0;
  const auto t1 = Clock::now();
  run_and_kill(kiosk_sim, world, card, wrong_then_right, -1ms, 120s);
  const auto reception = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t1);
  std::printf("crash_bench: a whole run (start, reception with a wrong and a right PIN, exit) takes %lld ms "
              "(the first, making the world, %lld ms)\n",
              static_cast<long long>(reception.count()),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(first).count()));

  std::mt19937 random(seed);
  std::uniform_int_distribution<long long> moment(0, reception.count() * 11 / 10);
  Figures f;
  const auto started = Clock::now();
  for (int i = 0; i < kills; ++i) {
    int before = 3;
    int maximum = 3;
    try {
      const nlohmann::json c = kiosk::sim::card::read_card_file(card);
      before = tries_left(c);
      maximum = max_tries(c);
    } catch (const std::exception& e) {
      std::cerr << "crash_bench: the card file is unusable before run " << i << ": " << e.what() << "\n";
      return 1;
    }
    // A wrong PIN first while two tries are left at least, so the card never locks.
    const bool type_wrong = before >= 2;
    ++f.runs;
    if (run_and_kill(kiosk_sim, world, card, type_wrong ? wrong_then_right : right, std::chrono::milliseconds(moment(random)), 120s)) {
      ++f.killed_mid_reception;
    } else {
      ++f.finished_before_kill;
    }

    long entries = 0;
    if (journal_intact(journal, entries)) {
      ++f.journal_ok;
      f.journal_entries = entries;
    } else {
      ++f.journal_bad;
      std::cerr << "crash_bench: run " << i << ": the journal is damaged\n";
    }
    f.result_files_complete = 0;
    f.temp_files_left = 0;
    for (const auto& e : fs::directory_iterator(outbox)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("OQS_res_", 0) == 0) {
        if (result_file_complete(e.path())) {
          ++f.result_files_complete;
        } else {
          ++f.result_files_partial;
          std::cerr << "crash_bench: run " << i << ": " << name << " is incomplete\n";
        }
      } else if (name.rfind(".OQS_res_", 0) == 0) {
        ++f.temp_files_left;
      }
    }
    try {
      const nlohmann::json c = kiosk::sim::card::read_card_file(card);
      ++f.card_files_ok;
      const int after = tries_left(c);
      const bool unchanged = after == before;
      const bool decremented = type_wrong && after == before - 1;
      const bool reset = after == maximum;
      if (unchanged || decremented || reset) {
        ++f.counters_consistent;
        f.counter_unchanged += unchanged ? 1 : 0;
        f.counter_decremented += decremented && !unchanged ? 1 : 0;
        f.counter_reset += reset && !unchanged && !decremented ? 1 : 0;
      } else {
        ++f.counters_inconsistent;
        std::cerr << "crash_bench: run " << i << ": tries left went from " << before << " to " << after << "\n";
      }
    } catch (const std::exception& e) {
      ++f.card_files_bad;
      std::cerr << "crash_bench: run " << i << ": " << e.what() << "\n";
      return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("crash_bench: %d receptions, kill -9 at a random moment of each (seed %u), %.0f s:\n", f.runs, seed, seconds);
  std::printf("  killed while running %d, finished before the kill %d\n", f.killed_mid_reception, f.finished_before_kill);
  std::printf("  journal: intact after %d of %d kills (%ld entries at the end), damaged %d\n", f.journal_ok, f.runs,
              f.journal_entries, f.journal_bad);
  std::printf("  result files: %d complete in the outbox, %d partial; %d unfinished temporary files (hidden, never read)\n",
              f.result_files_complete, f.result_files_partial, f.temp_files_left);
  std::printf("  card file: complete and valid after %d of %d kills; PIN counter consistent %d (unchanged %d, one less "
              "after the wrong PIN %d, reset by the right PIN %d), inconsistent %d\n",
              f.card_files_ok, f.runs, f.counters_consistent, f.counter_unchanged, f.counter_decremented, f.counter_reset,
              f.counters_inconsistent);
  const bool ok = f.journal_bad == 0 && f.result_files_partial == 0 && f.card_files_bad == 0 && f.counters_inconsistent == 0;
  std::printf("crash_bench: %s\n", ok ? "every check held after every kill" : "FAILED");
  return ok ? 0 : 1;
}
