#pragma once
// SQL identifiers built from operator input (table and column names in the YAML). config/ rejects
// anything that is not a plain identifier; this layer still quotes every identifier it splices into SQL.
#include <string>
#include <string_view>

namespace leadsync::db {

// [A-Za-z_][A-Za-z0-9_]{0,62}: no quoting surprises, no case folding surprises beyond PostgreSQL's own.
bool is_safe_identifier(std::string_view name) noexcept;
// "name" with embedded quotes doubled. Throws std::invalid_argument for an empty name or a NUL byte.
std::string quote_identifier(std::string_view name);
// "schema"."table"
std::string quote_qualified(std::string_view schema, std::string_view table);

}  // namespace leadsync::db
