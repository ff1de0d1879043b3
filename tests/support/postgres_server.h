// A real PostgreSQL server for the lab-store tests: Debian's `postgresql` binaries, a cluster in a
// temporary folder, listening on 127.0.0.1 at a free port, run as a non-root user (the `postgres`
// user where the tests run as root, since the server refuses to run as root), stopped and removed
// afterwards. Its superuser `ffint8` logs in over TCP with a password (scram-sha-256), which the
// tests hand to libpq through PGPASSWORD, as users do.
#pragma once

#include <QDir>
#include <QHostAddress>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>

#include <csignal>
#include <pwd.h>
#include <unistd.h>

namespace ffint8::testing {

class PostgresServer
{
public:
    static constexpr const char *kUser = "ffint8";

    PostgresServer() = default;
    ~PostgresServer() { stop(); }
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    // Makes the cluster and starts the server; false with the reason in error() when it cannot.
    bool start()
    {
        m_bin = binDir();
        if (m_bin.isEmpty())
            return failed("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (scripts/setup.sh --for-tests installs postgresql)");
        if (!m_dir.isValid())
            return failed("cannot make a temporary folder");
        if (::geteuid() == 0) {
            const passwd *user = ::getpwnam("postgres");
            if (!user)
                return failed("running as root, and there is no `postgres` user to run the server as");
            m_uid = user->pw_uid;
            m_gid = user->pw_gid;
            if (::chown(m_dir.path().toLocal8Bit().constData(), m_uid, m_gid) != 0)
                return failed("cannot hand the temporary folder to the postgres user");
        }
        m_password = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QFile pw(m_dir.filePath("pw"));
        if (!pw.open(QIODevice::WriteOnly) || pw.write(m_password.toUtf8() + "\n") < 0)
            return failed("cannot write the password file");
        pw.close();
        if (::geteuid() == 0 && ::chown(pw.fileName().toLocal8Bit().constData(), m_uid, m_gid) != 0)
            return failed("cannot hand the password file to the postgres user");
        QString output;
        if (!runAsServerUser("initdb", {"-D", dataDir(), "-U", kUser, "--pwfile", pw.fileName(), "--auth-host=scram-sha-256",
                                        "--auth-local=trust", "-E", "UTF8", "--no-locale", "--no-sync"},
                             &output))
            return failed("initdb failed: " + output);
        m_port = freePort();
        qputenv("PGPASSWORD", m_password.toUtf8());
        return launch();
    }

    // Fast shutdown (clients are disconnected), waiting for the server to exit.
    void stop()
    {
        if (m_server.state() == QProcess::NotRunning)
            return;
        ::kill(pid_t(m_server.processId()), SIGINT);
        if (!m_server.waitForFinished(30000)) {
            m_server.kill();
            m_server.waitForFinished(5000);
        }
    }

    // Starts the stopped server again on the same cluster and port.
    bool restart() { return launch(); }

    bool running() const { return m_server.state() == QProcess::Running; }
    int port() const { return m_port; }
    const QString &password() const { return m_password; }
    const QString &error() const { return m_error; }
    QString address(const QString &database) const
    {
        return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3").arg(kUser).arg(m_port).arg(database);
    }

    // A new, empty database of its own for a test (store1, store2, ...): its address. A test cannot
    // go on without it, so failing to make one ends the test program with the reason.
    QString newStore()
    {
        const QString name = QStringLiteral("store%1").arg(++m_stores);
        if (!createDatabase(name))
            qFatal("%s", qPrintable(m_error));
        return address(name);
    }

    // A new, empty database (its name: letters, digits and underscores, from the test).
    bool createDatabase(const QString &name)
    {
        return admin("postgres", {QStringLiteral("CREATE DATABASE %1").arg(name)});
    }

    // Runs `statements` in `database` as the superuser; false with the reason in error().
    bool admin(const QString &database, const QStringList &statements)
    {
        bool ok = true;
        const QString connection = QUuid::createUuid().toString();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase("QPSQL", connection);
            db.setHostName("127.0.0.1");
            db.setPort(m_port);
            db.setUserName(kUser);
            db.setPassword(m_password);
            db.setDatabaseName(database);
            if (!db.open()) {
                ok = failed("cannot connect as the superuser: " + db.lastError().text());
            } else {
                QSqlQuery q(db);
                for (const QString &sql : statements)
                    if (ok && !q.exec(sql))
                        ok = failed(sql + ": " + q.lastError().text());
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        return ok;
    }

private:
    static QString binDir()
    {
        QDir versions("/usr/lib/postgresql");
        QStringList found = versions.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        std::sort(found.begin(), found.end(), [](const QString &a, const QString &b) { return a.toInt() < b.toInt(); });
        for (auto it = found.rbegin(); it != found.rend(); ++it)
            if (QFile::exists(versions.filePath(*it + "/bin/postgres")))
                return versions.filePath(*it + "/bin");
        return {};
    }

    static int freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost);
        return probe.serverPort();
    }

    QString dataDir() const { return m_dir.filePath("data"); }

    // The server binary `tool` with `args`, as the postgres user where we are root (setpriv execs
    // it in place, so the process is the server itself and its signals reach it).
    void prepare(QProcess &p, const QString &tool, const QStringList &args) const
    {
        const QString program = m_bin + "/" + tool;
        if (::geteuid() == 0) {
            p.setProgram("setpriv");
            p.setArguments(QStringList{QStringLiteral("--reuid=%1").arg(m_uid), QStringLiteral("--regid=%1").arg(m_gid),
                                       "--clear-groups", "--", program} +
                           args);
        } else {
            p.setProgram(program);
            p.setArguments(args);
        }
        p.setWorkingDirectory(m_dir.path());
        p.setProcessChannelMode(QProcess::MergedChannels);
    }

    bool runAsServerUser(const QString &tool, const QStringList &args, QString *output) const
    {
        QProcess p;
        prepare(p, tool, args);
        p.start();
        const bool ok = p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        *output = QString::fromLocal8Bit(p.readAll()).trimmed();
        return ok;
    }

    bool launch()
    {
        prepare(m_server, "postgres",
                {"-D", dataDir(), "-p", QString::number(m_port), "-c", "listen_addresses=127.0.0.1", "-c",
                 "unix_socket_directories=" + m_dir.path(), "-c", "fsync=off", "-c", "max_connections=60", "-c",
                 "shared_buffers=32MB"});
        m_server.setStandardOutputFile(m_dir.filePath("server.log"), QIODevice::Append);
        m_server.start();
        if (!m_server.waitForStarted(10000))
            return failed("the server did not start: " + m_server.errorString());
        for (int i = 0; i < 600; ++i) {
            QString output;
            if (runAsServerUser("pg_isready", {"-h", "127.0.0.1", "-p", QString::number(m_port), "-q"}, &output))
                return true;
            if (m_server.state() == QProcess::NotRunning)
                break;
            QThread::msleep(100);
        }
        QFile log(m_dir.filePath("server.log"));
        log.open(QIODevice::ReadOnly);
        return failed("the server did not come up: " + QString::fromLocal8Bit(log.readAll()).right(2000));
    }

    bool failed(const QString &why)
    {
        m_error = why;
        return false;
    }

    QTemporaryDir m_dir;
    QString m_bin;
    QString m_password;
    QString m_error;
    int m_port = 0;
    int m_stores = 0;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
    QProcess m_server;
};

} // namespace ffint8::testing
