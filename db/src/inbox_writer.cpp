// Durable, idempotent storage of webhook events (see inbox_writer.hpp).
#include "leadsync/db/inbox_writer.hpp"

#include <pqxx/pqxx>

#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db {

struct InboxWriter::Impl {
  std::string dsn;
  std::string scope;
  std::unique_ptr<detail::PgSession> session;
};

InboxWriter::InboxWriter(std::string dsn, std::string scope) : impl_(std::make_unique<Impl>()) {
  impl_->dsn = std::move(dsn);
  impl_->scope = std::move(scope);
}

InboxWriter::~InboxWriter() = default;

std::size_t InboxWriter::insert(const std::vector<InboxRow>& rows) {
  if (rows.empty()) return 0;
  try {
    if (!impl_->session)
      impl_->session = std::make_unique<detail::PgSession>(impl_->dsn, "leadsync-webhooks");
    pqxx::work tx(impl_->session->conn);
    std::string sql =
        "INSERT INTO leadsync.inbox (scope, event_id, occurred_at, subscription_type, object_id, payload) "
        "VALUES ";
    const std::string scope = tx.quote(impl_->scope);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      if (i) sql += ",";
      sql += "(" + scope + "," + std::to_string(r.event_id) + "," +
             (r.occurred_at_ms > 0 ? "to_timestamp(" + std::to_string(r.occurred_at_ms) + "::numeric / 1000)"
                                   : std::string("NULL")) +
             "," + tx.quote(r.subscription_type) + "," + std::to_string(r.object_id) + "," +
             tx.quote(r.payload) + "::jsonb)";
    }
    sql += " ON CONFLICT (scope, event_id) DO NOTHING";
    const pqxx::result res = tx.exec0(sql);
    const auto inserted = static_cast<std::size_t>(res.affected_rows());
    if (inserted > 0)
      tx.exec("SELECT pg_notify(" + tx.quote(std::string(kInboxChannel)) + ", " + scope + ")");
    tx.commit();
    return inserted;
  } catch (...) {
    impl_->session.reset();
    detail::rethrow_as_core_error("storing webhook events");
  }
}

}  // namespace leadsync::db
