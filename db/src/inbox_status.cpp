#include "inbox_status.hpp"

namespace leadsync::db::detail {

namespace {

std::optional<std::int64_t> optional_ms(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}

}  // namespace

InboxStatus read_inbox_status(pqxx::transaction_base& tx, const std::string& scope) {
  InboxStatus s;
  // --status may read a database whose migrations this version has not applied yet: an empty inbox then.
  if (tx.exec("SELECT to_regclass('leadsync.inbox') IS NULL")[0][0].as<bool>()) return s;
  // One pass over the scope's kept events (at most webhooks.retention of them), cheap enough for the
  // daemon's refresh every 15 s. Times are truncated to the millisecond, as to_char's MS shows them.
  const auto r = tx.exec_params(
      "SELECT count(*) FILTER (WHERE processed_at IS NULL), "
      "floor(extract(epoch FROM min(received_at) FILTER (WHERE processed_at IS NULL)) * 1000)::bigint, "
      "floor(extract(epoch FROM now() - min(received_at) FILTER (WHERE processed_at IS NULL)) * "
      "1000)::bigint, "
      "floor(extract(epoch FROM max(received_at)) * 1000)::bigint, "
      "floor(extract(epoch FROM max(processed_at)) * 1000)::bigint, "
      "count(*) FILTER (WHERE received_at > now() - interval '24 hours') "
      "FROM leadsync.inbox WHERE scope = $1",
      scope);
  s.unapplied = r[0][0].as<std::int64_t>();
  s.oldest_unapplied_ms = optional_ms(r[0][1]);
  s.oldest_unapplied_age_ms = optional_ms(r[0][2]);
  // A clock step back on the server must not show a negative age.
  if (s.oldest_unapplied_age_ms && *s.oldest_unapplied_age_ms < 0) s.oldest_unapplied_age_ms = 0;
  s.last_received_ms = optional_ms(r[0][3]);
  s.last_applied_ms = optional_ms(r[0][4]);
  s.received_24h = r[0][5].as<std::int64_t>();
  return s;
}

}  // namespace leadsync::db::detail
