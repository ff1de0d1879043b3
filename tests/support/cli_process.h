// Runs the real ffint8 binary (FFINT8_CLI_PATH) the way a user's shell would, for process tests.
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace ffint8::testing {

struct CliResult
{
    int exitCode = -1; // -1: it did not finish in time, or crashed
    QString out;
    QString err;
    QList<QJsonObject> events; // the lines of stdout that are JSON objects
};

// `env` adds to (or, with an empty value, overrides) the test's own environment.
inline void startCli(QProcess &p, const QStringList &args, const QMap<QString, QString> &env = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (auto it = env.begin(); it != env.end(); ++it)
        environment.insert(it.key(), it.value());
    p.setProcessEnvironment(environment);
    p.start(FFINT8_CLI_PATH, args);
}

inline CliResult finishCli(QProcess &p, int timeoutMs = 120000)
{
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    if (p.exitStatus() == QProcess::NormalExit)
        r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    for (const QString &line : r.out.split('\n', Qt::SkipEmptyParts)) {
        const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8());
        if (doc.isObject())
            r.events << doc.object();
    }
    return r;
}

inline CliResult runCli(const QStringList &args, const QMap<QString, QString> &env = {}, int timeoutMs = 120000)
{
    QProcess p;
    startCli(p, args, env);
    return finishCli(p, timeoutMs);
}

} // namespace ffint8::testing
