#pragma once
// Internal to leadsync_db: the one query behind InboxStatus, shared by PgStore::status (--status) and
// LeaderLock::inbox_status (the daemon's gauges).
#include <pqxx/pqxx>
#include <string>

#include "leadsync/db/inbox_status.hpp"

namespace leadsync::db::detail {

InboxStatus read_inbox_status(pqxx::transaction_base& tx, const std::string& scope);

}  // namespace leadsync::db::detail
