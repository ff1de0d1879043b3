// The store's SQL is written once, in the dialect SQLite and PostgreSQL share; where they differ,
// the schema is written for SQLite and translated here, and queries take their differing pieces
// from here.
#pragma once

#include <QString>

namespace ffint8 {

// A schema statement (a migration's CREATE or ALTER) for PostgreSQL: INTEGER PRIMARY KEY becomes
// an identity column, INTEGER BIGINT (SQLite's integers have 64 bits), REAL DOUBLE PRECISION
// (PostgreSQL's REAL has 32), and WITHOUT ROWID goes.
QString postgresSchemaSql(const QString &sqliteSql);

// A condition true where `column`, lowercased, contains the bound text (already lowercased): a
// plain substring, with no LIKE wildcards for the user to escape.
QString containsLowercased(bool postgres, const QString &column);

// Seconds since 1970 on the database's clock (its server's, for PostgreSQL), as a double.
QString secondsNow(bool postgres);

// The larger of two values: SQLite's two-argument MAX, PostgreSQL's GREATEST.
QString greatest(bool postgres, const QString &a, const QString &b);

} // namespace ffint8
