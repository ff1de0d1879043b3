// The run store on a PostgreSQL server (Qt's QPSQL driver): connecting, reconnecting after the
// server went away, refusing a database that belongs to another application, the schema version.
#include "app/store/postgres_store.h"

#include "app/store/run_store.h"

#include <QSqlDriver>
#include <QSqlQuery>
#include <QStringList>

namespace ffint8 {

namespace {

constexpr int kConnectTimeoutS = 5;
// The channel writers notify and readers listen on; each payload a run id.
constexpr const char *kChangeChannel = "ffint8_runs";

} // namespace

StoreError::Kind postgresErrorKind(const QSqlError &error)
{
    const QString state = error.nativeErrorCode();
    if (state.startsWith(QLatin1String("08")) || state.startsWith(QLatin1String("57P")))
        return StoreError::Kind::Unreachable;
    if (state == QLatin1String("40001") || state == QLatin1String("40P01") || state == QLatin1String("55P03"))
        return StoreError::Kind::Busy;
    if (state == QLatin1String("53100") || state == QLatin1String("53200"))
        return StoreError::Kind::Full;
    if (state.isEmpty()) {
        // libpq reports a broken connection without a result, so without a SQLSTATE; the driver
        // reports a closed connection as "not open". Its messages are fixed English text.
        const QString text = error.text();
        // A login the server refused reaches the server: it would fail again the same way.
        if (text.contains(QLatin1String("authentication failed")) || text.contains(QLatin1String("password")) ||
            text.contains(QLatin1String("does not exist")))
            return StoreError::Kind::Other;
        if (text.contains(QLatin1String("connection"), Qt::CaseInsensitive) ||
            text.contains(QLatin1String("not open"), Qt::CaseInsensitive) ||
            text.contains(QLatin1String("server"), Qt::CaseInsensitive))
            return StoreError::Kind::Unreachable;
    }
    return StoreError::Kind::Other;
}

void RunStore::openPostgres()
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        throw StoreError(QStringLiteral("cannot open the run store %1: Qt's PostgreSQL driver (QPSQL) is not installed "
                                        "(Debian and Ubuntu: the package libqt6sql6-psql)")
                             .arg(m_path));
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    m_db.setHostName(m_address.host);
    m_db.setPort(m_address.port);
    if (!m_address.user.isEmpty())
        m_db.setUserName(m_address.user);
    m_db.setDatabaseName(m_address.database);
    // No password is set: libpq takes it from PGPASSWORD or ~/.pgpass.
    m_db.setConnectOptions(QStringLiteral("connect_timeout=%1;application_name=ffint8").arg(kConnectTimeoutS));
    if (!m_db.open())
        throw StoreError(QStringLiteral("cannot connect to the run store %1: %2").arg(m_path, m_db.lastError().text().trimmed()),
                         postgresErrorKind(m_db.lastError()));
    // CREATE ... IF NOT EXISTS and the like send notices that are not the user's business.
    exec(QStringLiteral("SET client_min_messages TO warning"));
}

void RunStore::reconnectIfLost()
{
    if (!m_address.isPostgres() || !m_connectionLost)
        return;
    m_db.close();
    if (!m_db.open())
        throw StoreError(QStringLiteral("%1: the server cannot be reached: %2").arg(m_path, m_db.lastError().text().trimmed()),
                         StoreError::Kind::Unreachable);
    m_connectionLost = false;
    exec(QStringLiteral("SET client_min_messages TO warning"));
}

void RunStore::refuseForeignDatabase()
{
    QSqlQuery q = query();
    if (!q.exec(QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                               "ORDER BY table_name")))
        fail(QStringLiteral("cannot list the database's tables"), q.lastError());
    QStringList tables;
    while (q.next())
        tables << q.value(0).toString();
    if (tables.isEmpty() || tables.contains(QLatin1String("ffint8_schema")))
        return;
    const QStringList shown = tables.mid(0, 5);
    throw StoreError(QStringLiteral("%1 holds another application's tables (%2 in all: %3%4) and no ffint8 run store; "
                                    "refusing to write to it (give the run store a database of its own, e.g. createdb ffint8)")
                         .arg(m_path)
                         .arg(tables.size())
                         .arg(shown.join(QLatin1String(", ")), tables.size() > shown.size() ? QStringLiteral(", ...") : QString()));
}

int RunStore::postgresSchemaVersion()
{
    QSqlQuery q = query();
    if (!q.exec(QStringLiteral("SELECT to_regclass('ffint8_schema') IS NOT NULL")) || !q.next())
        fail(QStringLiteral("cannot read the schema version"), q.lastError());
    if (!q.value(0).toBool())
        return 0;
    if (!q.exec(QStringLiteral("SELECT version FROM ffint8_schema")))
        fail(QStringLiteral("cannot read the schema version"), q.lastError());
    return q.next() ? q.value(0).toInt() : 0;
}

void RunStore::notifyChanged(const QList<qint64> &runIds)
{
    if (!isPostgres())
        return;
    QSqlQuery q = query();
    q.prepare(QStringLiteral("SELECT pg_notify(?, ?)"));
    for (qint64 id : runIds) {
        q.addBindValue(QString::fromLatin1(kChangeChannel));
        q.addBindValue(QString::number(id));
        execute(q, QStringLiteral("cannot say that run %1 changed").arg(id));
    }
}

bool RunStore::watchChanges(QObject *context, const std::function<void(qint64 runId)> &onChange)
{
    QSqlDriver *driver = m_db.driver();
    if (!isPostgres() || !driver || !driver->hasFeature(QSqlDriver::EventNotifications) ||
        !driver->subscribeToNotification(QString::fromLatin1(kChangeChannel)))
        return false;
    QObject::connect(driver, &QSqlDriver::notification, context,
                     [onChange](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                         if (name == QLatin1String(kChangeChannel))
                             onChange(payload.toString().toLongLong());
                     });
    return true;
}

} // namespace ffint8
