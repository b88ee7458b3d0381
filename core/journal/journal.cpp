#include "core/journal/journal.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <ctime>
#include <stdexcept>

namespace kiosk::core::journal {
namespace {

struct Statement {
  sqlite3_stmt* stmt = nullptr;
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      throw JournalError(std::string("journal: cannot prepare statement: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  void text(int i, const std::string& s) { sqlite3_bind_text(stmt, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  void integer(int i, std::int64_t v) { sqlite3_bind_int64(stmt, i, v); }
  std::string column_text(int i) const {
    const unsigned char* t = sqlite3_column_text(stmt, i);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
};

std::int64_t to_micros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

void refuse_personal_data(const std::string& field, const std::string& text) {
  int run = 0;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 12) throw std::invalid_argument("journal: refusing " + field + " with a 12-digit number in it");
  }
}

}  // namespace

void Journal::Closer::operator()(sqlite3* db) const noexcept { sqlite3_close(db); }

Journal::Journal(std::unique_ptr<sqlite3, Closer> db, std::string terminal) : db_(std::move(db)), terminal_(std::move(terminal)) {}
Journal::~Journal() = default;
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;

void Journal::exec(const char* sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw JournalError("journal: " + message);
  }
}

std::chrono::system_clock::time_point retention_cutoff(std::chrono::system_clock::time_point now, std::chrono::days age) {
  using std::chrono::days;
  using TimePoint = std::chrono::system_clock::time_point;
  const auto now_days = std::chrono::floor<days>(now).time_since_epoch().count();
  const auto earliest_days = std::chrono::ceil<days>(TimePoint::min()).time_since_epoch().count();
  if (age.count() < 0) return now;
  if (age.count() >= now_days - earliest_days) return TimePoint::min();
  return now - age;  // within range: checked above
}

namespace {
// The journal and the files SQLite keeps beside it: the owner's only.
void restrict_to_owner(const std::filesystem::path& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    const std::filesystem::path file = path.string() + suffix;
    if (std::filesystem::exists(file, ec)) {
      std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                   std::filesystem::perm_options::replace, ec);
      if (ec) throw JournalError("journal: cannot make " + file.string() + " private (mode 0600): " + ec.message());
    }
  }
}
}  // namespace

Journal Journal::open(const std::filesystem::path& path, std::string terminal_id) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  // Created 0600 before SQLite opens it: SQLite gives the WAL and shared-memory files the mode
  // of the database file.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  restrict_to_owner(path);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) throw JournalError("journal: cannot open " + path.string() + ": " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(db.get(), 5000);
  Journal j(std::move(db), std::move(terminal_id));
  j.exec("PRAGMA journal_mode=WAL");
  j.exec("PRAGMA synchronous=FULL");
  j.exec(
      "CREATE TABLE IF NOT EXISTS entries ("
      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
      " at_us INTEGER NOT NULL,"
      " terminal TEXT NOT NULL,"
      " kind TEXT NOT NULL,"
      " event TEXT NOT NULL,"
      " method TEXT NOT NULL,"
      " outcome TEXT NOT NULL,"
      " message_code TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS entries_at ON entries(at_us);");
  return j;
}

std::int64_t Journal::append(const Entry& e, std::chrono::system_clock::time_point at) {
  refuse_personal_data("outcome", e.outcome);
  refuse_personal_data("event", e.event);
  Statement s(db_.get(),
              "INSERT INTO entries(at_us, terminal, kind, event, method, outcome, message_code) VALUES (?,?,?,?,?,?,?)");
  s.integer(1, to_micros(at));
  s.text(2, terminal_);
  s.text(3, e.kind);
  s.text(4, e.event);
  s.text(5, e.method);
  s.text(6, e.outcome);
  s.text(7, e.message_code);
  if (sqlite3_step(s.stmt) != SQLITE_DONE) {
    throw JournalError(std::string("journal: entry not written: ") + sqlite3_errmsg(db_.get()));
  }
  return sqlite3_last_insert_rowid(db_.get());
}

namespace {

std::vector<Record> read_records(Statement& s) {
  std::vector<Record> out;
  while (sqlite3_step(s.stmt) == SQLITE_ROW) {
    Record r;
    r.id = sqlite3_column_int64(s.stmt, 0);
    r.at = std::chrono::system_clock::time_point(std::chrono::microseconds(sqlite3_column_int64(s.stmt, 1)));
    r.terminal = s.column_text(2);
    r.kind = s.column_text(3);
    r.event = s.column_text(4);
    r.method = s.column_text(5);
    r.outcome = s.column_text(6);
    r.message_code = s.column_text(7);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<Record> Journal::since(std::chrono::system_clock::time_point since) const {
  Statement s(db_.get(),
              "SELECT id, at_us, terminal, kind, event, method, outcome, message_code FROM entries WHERE at_us >= ? ORDER BY id");
  s.integer(1, to_micros(since));
  return read_records(s);
}

std::vector<Record> Journal::of_kind_since(std::string_view kind, std::chrono::system_clock::time_point since,
                                           std::int64_t after_id) const {
  Statement s(db_.get(),
              "SELECT id, at_us, terminal, kind, event, method, outcome, message_code FROM entries"
              " WHERE at_us >= ? AND kind = ? AND id > ? ORDER BY id");
  s.integer(1, to_micros(since));
  s.text(2, std::string(kind));
  s.integer(3, after_id);
  return read_records(s);
}

std::chrono::system_clock::time_point local_midnight(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&seconds, &local);
  local.tm_hour = 0;
  local.tm_min = 0;
  local.tm_sec = 0;
  local.tm_isdst = -1;  // whatever applies at midnight
  return std::chrono::system_clock::from_time_t(std::mktime(&local));
}

std::size_t Journal::purge_before(std::chrono::system_clock::time_point before) {
  Statement s(db_.get(), "DELETE FROM entries WHERE at_us < ?");
  s.integer(1, to_micros(before));
  if (sqlite3_step(s.stmt) != SQLITE_DONE) throw JournalError(std::string("journal: purge failed: ") + sqlite3_errmsg(db_.get()));
  return static_cast<std::size_t>(sqlite3_changes(db_.get()));
}

bool Journal::intact() const {
  Statement s(db_.get(), "PRAGMA integrity_check");
  return sqlite3_step(s.stmt) == SQLITE_ROW && s.column_text(0) == "ok";
}

}  // namespace kiosk::core::journal
