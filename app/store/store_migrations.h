// The run store's schema as its history: one forward migration per version, in SQL.
#pragma once

namespace ffint8 {

// The statements (separated by ';') that take a store from schema version `from` to `from + 1`,
// for 0 <= from < kStoreSchemaVersion.
const char *storeMigration(int from);

} // namespace ffint8
