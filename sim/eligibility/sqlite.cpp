#include "sim/eligibility/sqlite.hpp"

#include <sqlite3.h>

#include <climits>

namespace kiosk::sim::eligibility {

namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw DatabaseError(what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

void Connection::CloseDb::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
void Connection::Finalize::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

Connection::Connection(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) fail(raw, "cannot open the database " + path);
  sqlite3_busy_timeout(db_.get(), 5000);
  exec("PRAGMA foreign_keys = ON");
  if (path != ":memory:") {
    exec("PRAGMA journal_mode = WAL");
    // Commits survive a crash of the process; the last ones may be lost on power loss.
    exec("PRAGMA synchronous = NORMAL");
  }
}

Connection::~Connection() {
  cache_.clear();  // statements before the connection
}

void Connection::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : sqlite3_errmsg(db_.get());
    sqlite3_free(message);
    throw DatabaseError("SQL failed (" + sql.substr(0, 60) + "): " + text);
  }
}

void Connection::rollback_quietly() noexcept { sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr); }

Statement Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                           nullptr) != SQLITE_OK) {
      fail(db_.get(), "cannot prepare (" + sql.substr(0, 60) + ")");
    }
    it = cache_.emplace(sql, std::unique_ptr<sqlite3_stmt, Finalize>(raw)).first;
  }
  return Statement(it->second.get());
}

std::int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }

Statement::Statement(sqlite3_stmt* stmt) : stmt_(stmt) {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_reset(stmt_);  // ends its read (the error of a failed step was thrown already)
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (value.size() > static_cast<std::size_t>(INT_MAX)) throw DatabaseError("text too long to bind");
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(sqlite3_db_handle(stmt_), "bind");
  }
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  if (!value) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
    return *this;
  }
  return bind(index, std::string_view(*value));
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(sqlite3_db_handle(stmt_), "step");
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  const int length = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

}  // namespace kiosk::sim::eligibility
