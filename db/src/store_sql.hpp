#pragma once
// Internal to leadsync_db: SQL text for the PgStore (column read/write expressions per mapping type,
// literal quoting, the JSON form of leadsync.base).
#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "leadsync/core/lead.hpp"
#include "leadsync/core/mapping.hpp"

namespace leadsync::db::detail {

// A SELECT expression giving the column's value as text that core::normalize_value understands.
std::string read_expression(const core::PropertyMapping& m);
// The SQL type a text literal is cast to when written into the column.
const char* write_cast(core::PropertyType type);
// True when `value` (normalised) can be cast to the column's type without an error.
bool castable(core::PropertyType type, const core::Value& value);

// 'text' quoted for SQL, or NULL.
std::string literal(pqxx::transaction_base& tx, const core::Value& value);
// (a, b, c) list of quoted literals; "(NULL)" when empty so the SQL stays valid.
std::string in_list(pqxx::transaction_base& tx, const std::vector<std::string>& values);
std::string in_list(const std::vector<std::int64_t>& values);

// leadsync.base JSON columns.
std::string encode_values(const core::PropertyValues& values);
core::PropertyValues decode_values(const std::string& json);
// Per-property HubSpot timestamps; those equal to `usual` (the lead's remote_updated_at, by far the most
// common) are left out and restored by decode_times for every property in `values`.
std::string encode_times(const std::map<std::string, core::WallTime>& times,
                         std::optional<core::WallTime> usual);
std::map<std::string, core::WallTime> decode_times(const std::string& json,
                                                   const core::PropertyValues& values,
                                                   std::optional<core::WallTime> usual);
std::string encode_associations(const core::AssociationSet& set);
// Association rows as json_agg(json_build_array(to_object_type, to_object_id, association_type_id)) gives
// them.
core::AssociationSet decode_association_rows(const std::string& json);
core::AssociationSet decode_associations(const std::string& json);

// leadsync.base.superseded (migration 0014): BaseState::superseded and superseded_until. Encodes to "" when
// there is nothing to remember (stored as NULL).
std::string encode_superseded(const core::BaseState& b);
void decode_superseded(const std::string& json, core::BaseState& b);
// A captured row (leadsync.changes.changed, to_jsonb of the row): column -> value as text (strings as they
// are, numbers and booleans as JSON writes them, null as no value).
core::PropertyValues decode_captured_values(const std::string& json);

bool same_base(const core::BaseState& a, const core::BaseState& b);

// A PostgreSQL array literal ({"a","b",NULL}) built element by element, passed as one statement parameter
// and read with unnest($n::type[]). A page's rows then travel as one array per column: the server parses a
// short statement instead of a VALUES list value by value (parsing those was about a fifth of PostgreSQL's
// CPU in an import, measured with perf).
class ArrayLiteral {
 public:
  void add(std::string_view value);
  void add(const core::Value& value) { value ? add(std::string_view(*value)) : add_null(); }
  void add(std::int64_t value);
  void add_null();
  std::size_t size() const { return size_; }
  std::string str() const { return text_ + '}'; }

 private:
  void separate() {
    if (size_++) text_ += ',';
  }
  std::string text_ = "{";
  std::size_t size_ = 0;
};

// A one-dimensional array parameter in PostgreSQL's binary format (what array_recv reads): the server copies
// each element instead of parsing a literal, with no quoting on either side. Used for the pull's association
// rows and bases, the bulk of its array elements (the bases' JSON was escaped for the literal and unescaped
// again): array_in was ~6 % of PostgreSQL's CPU in an import (perf). Element types by their fixed built-in
// OIDs; each add must match the array's type.
class BinaryArray {
 public:
  static constexpr std::uint32_t kInt8 = 20, kInt4 = 23, kText = 25, kTimestamptz = 1184, kJsonb = 3802;
  explicit BinaryArray(std::uint32_t element_oid) : element_oid_(element_oid) {}
  void add(std::string_view text);  // a text element
  void add_int8(std::int64_t value);
  void add_int4(std::int32_t value);
  void add_jsonb(std::string_view json);        // JSON text (format version 1)
  void add_timestamptz(std::int64_t epoch_ms);  // milliseconds since the Unix epoch, as core::to_epoch_ms
  void add_null();
  std::size_t size() const { return size_; }
  // Header (dimensions, whether there are NULLs, element type, length, lower bound 1) and the elements.
  std::string bytes() const;
  pqxx::binarystring param() const {
    const auto b = bytes();
    return pqxx::binarystring(b.data(), b.size());
  }

 private:
  std::uint32_t element_oid_;
  std::string elements_;
  std::size_t size_ = 0;
  bool has_null_ = false;
};

// The literal of a whole list at once.
std::string array_literal(const std::vector<std::string>& values);
std::string array_literal(const std::vector<std::int64_t>& values);

}  // namespace leadsync::db::detail
