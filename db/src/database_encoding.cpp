#include "database_encoding.hpp"

#include "leadsync/core/error.hpp"

namespace leadsync::db::detail {

void require_utf8(pqxx::connection_base& conn) {
  pqxx::nontransaction tx(conn);
  const auto row = tx.exec(
      "SELECT current_setting('server_encoding'), current_setting('client_encoding'), current_database()")[0];
  const auto server = row[0].as<std::string>();
  const auto client = row[1].as<std::string>();
  const auto database = row[2].as<std::string>();
  const core::ErrorDetails config{.category = "CONFIG"};
  if (server != "UTF8")
    throw core::fatal_error(
        "database \"" + database + "\" uses the encoding " + server +
            "; leadsync needs a UTF8 database: HubSpot's text is Unicode, which " +
            (server == "SQL_ASCII"
                 ? std::string("SQL_ASCII does not check (any bytes are stored as they come)")
                 : server + " cannot hold in full") +
            ". Create the database with ENCODING 'UTF8' (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE "
            "template0) and move the table into it (pg_dump and pg_restore convert the text)",
        config);
  if (client != "UTF8")
    throw core::fatal_error("the connection's client_encoding is " + client +
                                " (set by the DSN's client_encoding or options, or by PGCLIENTENCODING); "
                                "leadsync sends and reads UTF-8: remove that setting",
                            config);
}

}  // namespace leadsync::db::detail
