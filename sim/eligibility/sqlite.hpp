// A thin RAII layer over the SQLite C API for the simulated service: one connection, prepared
// statements cached by their SQL, typed binding and columns, transactions that roll back when
// an exception leaves them. Not thread-safe: one thread at a time per Connection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace kiosk::sim::eligibility {

class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A cached prepared statement lent by Connection::prepare(), reset when the loan ends. A statement
// left stepped (a look-up that read its one row and returned) holds a read transaction open, and
// in WAL mode an open read stops every checkpoint from restarting the WAL: the WAL file then grew
// with every write, and the WAL index with it (one more mapping every 4096 frames).
class Statement {
 public:
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Binding by 1-based index; std::nullopt binds NULL.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }

  // true: a row is available; false: done. Throws DatabaseError.
  bool step();
  // Runs to completion (INSERT/UPDATE/DELETE).
  void run();

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;

 private:
  friend class Connection;
  explicit Statement(sqlite3_stmt* stmt);
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // ":memory:" or a file (created). Turns on foreign keys; WAL for files.
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const std::string& sql);
  // A cached prepared statement, reset and with its bindings cleared; reset again when the
  // returned Statement goes (keep it no longer than its rows are read).
  Statement prepare(const std::string& sql);
  std::int64_t last_insert_id() const;

  // BEGIN IMMEDIATE ... COMMIT; ROLLBACK when the function throws.
  template <typename F>
  auto transaction(F f) {
    exec("BEGIN IMMEDIATE");
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        exec("COMMIT");
      } else {
        auto result = f();
        exec("COMMIT");
        return result;
      }
    } catch (...) {
      rollback_quietly();
      throw;
    }
  }

 private:
  void rollback_quietly() noexcept;

  struct CloseDb {
    void operator()(sqlite3* db) const noexcept;
  };
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  std::unique_ptr<sqlite3, CloseDb> db_;
  std::map<std::string, std::unique_ptr<sqlite3_stmt, Finalize>> cache_;
};

}  // namespace kiosk::sim::eligibility
