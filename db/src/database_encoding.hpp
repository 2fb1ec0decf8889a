#pragma once
// Internal to leadsync_db: the text encoding leadsync needs on its connections.
#include <pqxx/pqxx>

namespace leadsync::db::detail {

// leadsync reads and writes text as UTF-8 (HubSpot's values are Unicode). A database in another encoding
// either cannot hold such text (LATIN1 and the other single-byte encodings) or does not check it (SQL_ASCII
// stores any bytes); a client_encoding other than UTF8 (the DSN's client_encoding or options, or
// PGCLIENTENCODING) makes PostgreSQL convert leadsync's UTF-8 bytes as if they were that encoding. Either way
// text would be mangled or refused row by row, so the database is refused at start with core::fatal_error,
// category "CONFIG" (exit 78: restarting cannot fix it), naming the encoding and what to do.
void require_utf8(pqxx::connection_base& conn);

}  // namespace leadsync::db::detail
