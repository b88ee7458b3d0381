#include "core/eligibility/result_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <pugixml.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "core/crypto/digest.hpp"
#include "core/eligibility/oqs_fields.hpp"
#include "core/eligibility/wire_format.hpp"

namespace kiosk::core::eligibility {

namespace {

namespace fs = std::filesystem;

class XmlWriter {
 public:
  explicit XmlWriter(pugi::xml_node node) : node_(node) {}

  void text(const std::string& name, const std::string& value) {
    if (!value.empty()) add(name, value);
  }
  void date(const std::string& name, const std::optional<Date>& value) {
    if (value) add(name, format_date(*value));
  }
  void time(const std::string& name, const std::optional<Timestamp>& value) {
    if (value) add(name, format_jst(*value));
  }
  template <typename E>
  void code(const std::string& name, const std::optional<E>& value) {
    if (value) add(name, std::to_string(static_cast<int>(*value)));
  }
  template <typename E>
  void required(const std::string& name, const E& value) {
    add(name, std::to_string(static_cast<int>(value)));
  }
  template <typename S, typename F>
  void group(const std::string& name, const std::optional<S>& value, F fn) {
    if (!value) return;
    XmlWriter inner(node_.append_child(name.c_str()));
    fn(*value, inner);
  }
  template <typename S, typename F>
  void list(const std::string& name, const std::string& item, const std::vector<S>& items, F fn) {
    if (items.empty()) return;
    pugi::xml_node list = node_.append_child(name.c_str());
    for (const auto& element : items) {
      XmlWriter inner(list.append_child(item.c_str()));
      fn(element, inner);
    }
  }

 private:
  void add(const std::string& name, const std::string& value) {
    node_.append_child(name.c_str()).append_child(pugi::node_pcdata).set_value(value.c_str());
  }
  pugi::xml_node node_;
};

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports a failure of close (data not written).
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::string& what, int error) {
  throw ResultFileError(what + ": " + std::strerror(error));
}

bool valid_identifier(const std::string& id) {
  return !id.empty() && id.size() <= 40 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

void write_all(int fd, const std::string& data, const fs::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + path.string(), errno);
    }
    done += static_cast<std::size_t>(n);
  }
}

// Moves `from` to `to` unless `to` exists (renameat2 RENAME_NOREPLACE; link + unlink where the
// file system does not support it).
void rename_no_replace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  const int error = errno;
  if (error == EINVAL || error == ENOSYS) {
    if (::link(from.c_str(), to.c_str()) == 0) {
      ::unlink(from.c_str());
      return;
    }
    fail("cannot move the result file to " + to.string(), errno);
  }
  fail("cannot move the result file to " + to.string(), error);
}

}  // namespace

std::string render_result_xml(const OqsResult& result) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  decl.append_attribute("standalone") = "no";
  pugi::xml_node msg = doc.append_child("XmlMsg");
  XmlWriter header(msg.append_child("MessageHeader"));
  oqs::header(result.header, header);
  XmlWriter body(msg.append_child("MessageBody"));
  oqs::body(result.body, body);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

ResultFileWriter::ResultFileWriter(fs::path outbox) : outbox_(std::move(outbox)) {}

fs::path ResultFileWriter::write(const OqsResult& input) const {
  std::error_code ec;
  if (!fs::is_directory(outbox_, ec)) throw ResultFileError("the result outbox " + outbox_.string() + " is not a folder");
  OqsResult result = input;
  if (result.header.arbitrary_file_identifier.empty()) {
    result.header.arbitrary_file_identifier = to_hex(core::crypto::random_bytes(8), '\0');
  } else if (!valid_identifier(result.header.arbitrary_file_identifier)) {
    throw ResultFileError("ArbitraryFileIdentifier must be 1-40 of A-Z a-z 0-9 _ -, got '" +
                          result.header.arbitrary_file_identifier + "'");
  }
  const std::string stamp = result.header.process_execution_time ? format_jst(*result.header.process_execution_time)
                                                                 : std::string("00000000000000");
  const std::string name = "OQS_res_" + stamp + "_" + result.header.arbitrary_file_identifier + ".xml";
  const fs::path final_path = outbox_ / name;
  const fs::path temp_path = outbox_ / ("." + name + "." + to_hex(core::crypto::random_bytes(4), '\0') + ".tmp");
  const std::string xml = render_result_xml(result);

  UniqueFd file(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (file.get() < 0) fail("cannot create " + temp_path.string(), errno);
  try {
    write_all(file.get(), xml, temp_path);
    if (::fsync(file.get()) != 0) fail("cannot flush " + temp_path.string(), errno);
    if (!file.close()) fail("cannot close " + temp_path.string(), errno);
    rename_no_replace(temp_path, final_path);
  } catch (...) {
    ::unlink(temp_path.c_str());
    throw;
  }
  UniqueFd dir(::open(outbox_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());  // the rename itself is durable once the folder is
  return final_path;
}

}  // namespace kiosk::core::eligibility
