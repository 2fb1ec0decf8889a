#pragma once
// Internal to leadsync_db: a libpqxx connection whose server notices go to spdlog instead of stderr.
#include <pqxx/pqxx>
#include <string>

namespace leadsync::db::detail {

class NoticeLogger : public pqxx::errorhandler {
 public:
  explicit NoticeLogger(pqxx::connection_base& conn) : pqxx::errorhandler(conn) {}
  bool operator()(const char msg[]) noexcept override;
};

struct PgSession {
  // Throws pqxx::broken_connection (callers classify it with rethrow_as_core_error).
  explicit PgSession(const std::string& dsn, const char* application_name = "leadsync");

  pqxx::connection conn;
  NoticeLogger notices{conn};
};

}  // namespace leadsync::db::detail
