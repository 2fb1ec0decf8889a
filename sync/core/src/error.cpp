#include "leadsync/core/error.hpp"

namespace leadsync::core {

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::transient:
      return "transient";
    case ErrorKind::record:
      return "record";
    case ErrorKind::fatal:
      return "fatal";
  }
  return "unknown";
}

Error::Error(ErrorKind kind, const std::string& message, ErrorDetails details)
    : std::runtime_error(message), kind_(kind), details_(std::move(details)) {}

Error transient_error(const std::string& message, ErrorDetails details) {
  return Error(ErrorKind::transient, message, std::move(details));
}
Error record_error(const std::string& message, ErrorDetails details) {
  return Error(ErrorKind::record, message, std::move(details));
}
Error fatal_error(const std::string& message, ErrorDetails details) {
  return Error(ErrorKind::fatal, message, std::move(details));
}

}  // namespace leadsync::core
