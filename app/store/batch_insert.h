// Rows inserted many to a statement: INSERT ... VALUES (...), (...), ... of up to kRowsPerStatement
// rows, each statement prepared once. A round trip per row is what limits a database server's
// ingestion (each EXECUTE waits for its answer); SQLite gains too, from fewer statement steps.
#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

namespace ffint8 {

class BatchInsert
{
public:
    static constexpr int kRowsPerStatement = 500;

    // `head`: "INSERT INTO table (a, b, c)"; `tail`: what follows the rows (an ON CONFLICT clause or
    // nothing). A row that repeats an earlier row's key within one statement is not allowed with
    // ON CONFLICT DO UPDATE: the caller keeps keys distinct. `execute` runs a prepared query and
    // throws on failure.
    BatchInsert(const QSqlDatabase &db, const QString &head, int columns, const QString &tail,
                std::function<void(QSqlQuery &)> execute);
    ~BatchInsert() = default; // rows not flushed are dropped: flush() is part of the caller's transaction

    void add(std::initializer_list<QVariant> row);
    void flush(); // writes the rows added since the last flush

private:
    QSqlQuery &statementFor(int rows);

    QSqlDatabase m_db;
    QString m_head;
    QString m_tail;
    int m_columns;
    std::function<void(QSqlQuery &)> m_execute;
    std::vector<QVariant> m_pending;
    std::unique_ptr<QSqlQuery> m_full;    // kRowsPerStatement rows
    std::unique_ptr<QSqlQuery> m_partial; // the last, shorter statement
    int m_partialRows = 0;
};

} // namespace ffint8
