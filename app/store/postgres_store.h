// What the run store needs to know of PostgreSQL beyond its SQL: how its errors read, and the lock
// that keeps two processes from migrating one database at once.
#pragma once

#include "app/store/store_error.h"

#include <QSqlError>

namespace ffint8 {

// The key of the transaction-scoped advisory lock taken while the schema is checked and migrated.
constexpr qint64 kPostgresMigrationLock = 0x6666696e743801; // "ffint8" in ASCII, then 1

// Unreachable for a lost or refused connection (SQLSTATE class 08, the server shutting down),
// Busy for a serialization failure or deadlock (worth retrying), Full for a full disk or too many
// connections' memory, Other for the rest (a wrong password, a bad statement).
StoreError::Kind postgresErrorKind(const QSqlError &error);

} // namespace ffint8
