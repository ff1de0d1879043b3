// Where a run store lives: an SQLite file (a path) or a PostgreSQL database, written
// postgresql://USER@HOST:PORT/DBNAME. The password never appears in the address: libpq reads it
// from PGPASSWORD or ~/.pgpass, so it is not in the command line, the settings or the store.
#pragma once

#include <QString>

namespace ffint8 {

struct StoreAddress
{
    enum class Kind { Sqlite, Postgres };

    Kind kind = Kind::Sqlite;
    QString path;     // Sqlite
    QString user;     // Postgres; empty: libpq's default (PGUSER, else the login name)
    QString host;
    int port = 5432;
    QString database;

    // A path, or a postgresql:// (or postgres://) address. StoreError naming the address and the
    // part that is wrong: a password in it, no host or database name, a port that is not a number.
    static StoreAddress parse(const QString &text);
    static bool isPostgres(const QString &text);

    bool isPostgres() const { return kind == Kind::Postgres; }
    // The address as users write it (the path, or postgresql://USER@HOST:PORT/DBNAME).
    QString display() const;
};

} // namespace ffint8
