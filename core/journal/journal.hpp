// The kiosk's journal: every reception step that matters and every staff action, in SQLite.
//
// Durability: WAL mode with synchronous=FULL, one transaction per entry, committed before
// append() returns; a crash or power loss at any point loses no committed entry. Never holds a
// PIN, 照合番号B, face image, embedding or My Number: entries are short texts from the reception
// machine, and append() refuses any text with a run of 12 or more digits.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace kiosk::core::journal {

struct Entry {
  std::string kind = "reception";  // "reception", "staff", "system"
  std::string event;               // "reception-completed", "pin-wrong", "visual-check-on", ...
  std::string method;              // "pin", "face", "visual", ""
  std::string outcome;
  std::string message_code;        // "K110", "006", ""
};

struct Record : Entry {
  std::int64_t id = 0;
  std::chrono::system_clock::time_point at;
  std::string terminal;
};

// The local midnight (the kiosk's time zone, TZ) that starts the day of `t`: "today" on the desk.
std::chrono::system_clock::time_point local_midnight(std::chrono::system_clock::time_point t);

// `now` minus `age`, computed in days so that no retention overflows: an age reaching past the
// earliest time a time_point can hold gives that earliest time (a purge then deletes nothing).
// (999,999 days, "keep forever", overflowed `now - days(N)` in nanoseconds and purged it all.)
std::chrono::system_clock::time_point retention_cutoff(std::chrono::system_clock::time_point now, std::chrono::days age);

class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Journal {
 public:
  // Opens (creating if needed) the journal at `path`, readable by its owner only (0600: the file,
  // its WAL and shared-memory files; an existing journal's modes are tightened). Throws
  // JournalError.
  static Journal open(const std::filesystem::path& path, std::string terminal_id);
  ~Journal();
  Journal(Journal&&) noexcept;
  Journal& operator=(Journal&&) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends and commits. Throws JournalError (disk full, I/O error) or std::invalid_argument
  // for text that could be personal data.
  std::int64_t append(const Entry& entry, std::chrono::system_clock::time_point at);
  // Entries at or after `since`, oldest first.
  std::vector<Record> since(std::chrono::system_clock::time_point since) const;
  // Entries of one kind ("reception", "staff", ...) at or after `since` with an id above
  // `after_id`, oldest first: the reception desk's list of today, and its live refresh.
  std::vector<Record> of_kind_since(std::string_view kind, std::chrono::system_clock::time_point since,
                                    std::int64_t after_id = 0) const;
  // Deletes entries older than `before` (retention). Returns how many went.
  std::size_t purge_before(std::chrono::system_clock::time_point before);
  // PRAGMA integrity_check == "ok".
  bool intact() const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const noexcept;
  };
  Journal(std::unique_ptr<sqlite3, Closer> db, std::string terminal);
  void exec(const char* sql) const;

  std::unique_ptr<sqlite3, Closer> db_;
  std::string terminal_;
};

}  // namespace kiosk::core::journal
