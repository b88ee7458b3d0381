// The confirmation result as the XML file clinic reception systems read (OQS layout: XmlMsg /
// MessageHeader / MessageBody with the element names of docs/reception-rules.md §11, UTF-8),
// written atomically into an outbox folder: the reception system never sees half a file, and an
// existing file is never overwritten.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/eligibility/result.hpp"

namespace kiosk::core::eligibility {

// The file could not be written (missing or unwritable outbox, disk full, name taken). Nothing
// is left behind in the outbox when this is thrown.
class ResultFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The XML document (UTF-8, with declaration). Elements follow the layout order; empty values
// are left out; consent flags and ProcessingResultStatus are always written.
std::string render_result_xml(const OqsResult& result);

class ResultFileWriter {
 public:
  // `outbox` must exist (a shared folder that is not mounted is an error, not a new local folder).
  explicit ResultFileWriter(std::filesystem::path outbox);

  // Writes <outbox>/OQS_res_<ProcessExecutionTime>_<ArbitraryFileIdentifier>.xml: a temporary
  // file in the outbox, fsync, rename (never replacing), fsync of the folder. A result without
  // an ArbitraryFileIdentifier gets a random one (it must otherwise be 1-40 of A-Z a-z 0-9 _ -).
  // Returns the file's path.
  std::filesystem::path write(const OqsResult& result) const;

  const std::filesystem::path& outbox() const { return outbox_; }

 private:
  std::filesystem::path outbox_;
};

}  // namespace kiosk::core::eligibility
