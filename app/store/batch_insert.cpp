// Multi-row inserts for the run store.
#include "app/store/batch_insert.h"

namespace ffint8 {

BatchInsert::BatchInsert(const QSqlDatabase &db, const QString &head, int columns, const QString &tail,
                         std::function<void(QSqlQuery &)> execute)
    : m_db(db), m_head(head), m_tail(tail), m_columns(columns), m_execute(std::move(execute))
{
    m_pending.reserve(size_t(kRowsPerStatement) * size_t(columns));
}

void BatchInsert::add(std::initializer_list<QVariant> row)
{
    m_pending.insert(m_pending.end(), row.begin(), row.end());
    if (m_pending.size() >= size_t(kRowsPerStatement) * size_t(m_columns))
        flush();
}

QSqlQuery &BatchInsert::statementFor(int rows)
{
    std::unique_ptr<QSqlQuery> &slot = rows == kRowsPerStatement ? m_full : m_partial;
    if (slot && (rows == kRowsPerStatement || rows == m_partialRows))
        return *slot;
    QString placeholders = QStringLiteral("(") + QString(QStringLiteral("?, ")).repeated(m_columns - 1) + QStringLiteral("?)");
    QStringList values;
    for (int i = 0; i < rows; ++i)
        values << placeholders;
    slot = std::make_unique<QSqlQuery>(m_db);
    slot->prepare(m_head + QStringLiteral(" VALUES ") + values.join(QStringLiteral(", ")) + m_tail);
    if (rows != kRowsPerStatement)
        m_partialRows = rows;
    return *slot;
}

void BatchInsert::flush()
{
    const int rows = int(m_pending.size() / size_t(m_columns));
    if (rows == 0)
        return;
    QSqlQuery &q = statementFor(rows);
    for (const QVariant &v : m_pending)
        q.addBindValue(v);
    m_pending.clear();
    m_execute(q);
}

} // namespace ffint8
