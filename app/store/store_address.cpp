// Parsing a run store's address.
#include "app/store/store_address.h"

#include "app/store/store_error.h"

#include <QUrl>

namespace ffint8 {

bool StoreAddress::isPostgres(const QString &text)
{
    return text.startsWith(QLatin1String("postgresql://")) || text.startsWith(QLatin1String("postgres://"));
}

StoreAddress StoreAddress::parse(const QString &text)
{
    StoreAddress a;
    if (!isPostgres(text)) {
        a.path = text;
        return a;
    }
    a.kind = Kind::Postgres;
    const QUrl url(text, QUrl::StrictMode);
    auto refuse = [&](const QString &why) {
        // The text may hold a password: it is not repeated, only what was wrong with it.
        throw StoreError(QStringLiteral("the run store address %1 %2 (write postgresql://USER@HOST:PORT/DBNAME)")
                             .arg(url.isValid() ? url.toString(QUrl::RemovePassword) : QStringLiteral("given"), why));
    };
    if (!url.isValid())
        refuse(QStringLiteral("is not a valid address: %1").arg(url.errorString()));
    if (!url.password().isEmpty())
        refuse(QStringLiteral("holds a password; give it in PGPASSWORD or ~/.pgpass instead, where it is not "
                              "shown in process lists or stored"));
    if (url.host().isEmpty())
        refuse(QStringLiteral("names no host"));
    const QString path = url.path();
    a.database = path.startsWith('/') ? path.mid(1) : path;
    if (a.database.isEmpty() || a.database.contains('/'))
        refuse(QStringLiteral("names no database (one path segment after the host)"));
    if (url.hasQuery() || url.hasFragment())
        refuse(QStringLiteral("has options after the database name, which are not supported"));
    a.user = url.userName();
    a.host = url.host();
    a.port = url.port(5432);
    if (a.port <= 0 || a.port > 65535)
        refuse(QStringLiteral("has port %1, outside 1-65535").arg(a.port));
    return a;
}

QString StoreAddress::display() const
{
    if (kind == Kind::Sqlite)
        return path;
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setUserName(user);
    url.setHost(host);
    url.setPort(port);
    url.setPath('/' + database);
    return url.toString();
}

} // namespace ffint8
