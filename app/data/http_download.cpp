// One file over HTTP(S) into a `.part` file, resuming a cut-off download.
#include "app/data/http_download.h"

#include "engine/core/error.h"

#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>

namespace ffint8 {

namespace {

QString sizeText(qint64 bytes)
{
    if (bytes < 1048576)
        return QStringLiteral("%1 bytes").arg(bytes);
    return QString::number(double(bytes) / 1048576.0, 'f', 1) + " MiB";
}

// What one GET did, read off its reply once it is finished.
struct Attempt
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorText;
    bool stalled = false;
    QString writeError;
};

class Transfer
{
public:
    Transfer(const QUrl &url, const QString &partPath, const DownloadOptions &options)
        : m_url(url), m_file(partPath), m_options(options)
    {
    }

    // One GET from byte `from` (0: the whole file).
    Attempt get(qint64 from)
    {
        QNetworkRequest request(m_url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
        request.setTransferTimeout(m_options.stallTimeoutMs);
        request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("ffint8/" FFINT8_VERSION));
        // The .gz files are the data: asking for them as they are keeps Qt from inflating a reply a
        // server labels Content-Encoding: gzip, which would break both the checksum and Range.
        request.setRawHeader("Accept-Encoding", "identity");
        if (from > 0)
            request.setRawHeader("Range", "bytes=" + QByteArray::number(from) + "-");
        m_from = from;
        m_opened = false;
        Attempt attempt;
        QNetworkReply *reply = m_manager.get(request);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] { receive(reply, attempt); });
        QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, [&](qint64 received, qint64 total) {
            if (m_options.progress && m_opened)
                m_options.progress(m_base + received, total < 0 ? -1 : m_base + total);
        });
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        if (attempt.writeError.isEmpty())
            receive(reply, attempt);
        attempt.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        attempt.error = reply->error();
        attempt.errorText = reply->errorString();
        // Qt reports a transfer timeout as a cancelled operation (or a timeout); nothing else cancels here.
        attempt.stalled
            = attempt.error == QNetworkReply::OperationCanceledError || attempt.error == QNetworkReply::TimeoutError;
        reply->deleteLater();
        m_file.close();
        return attempt;
    }

    QString rangeError() const { return m_rangeError; }

private:
    // Writes what arrived. The first data decides how: a 206 from the asked-for byte appends, a 200
    // (a server that ignores Range) starts the file over, anything else is not the file and is dropped.
    void receive(QNetworkReply *reply, Attempt &attempt)
    {
        if (!reply->isOpen())
            return; // aborted or timed out: nothing more to read
        if (!m_opened) {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 206 && m_from > 0) {
                const QString range = QString::fromLatin1(reply->rawHeader("Content-Range"));
                const QRegularExpressionMatch m = QRegularExpression(R"(^bytes (\d+)-)").match(range);
                if (!m.hasMatch() || m.captured(1).toLongLong() != m_from) {
                    m_rangeError
                        = QStringLiteral("asked for the bytes from %1 on, the server sent \"Content-Range: %2\"")
                              .arg(m_from)
                              .arg(range);
                    reply->abort();
                    return;
                }
                m_base = m_from;
                if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append))
                    return fail(reply, attempt);
            } else if (status == 200) {
                m_base = 0;
                if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
                    return fail(reply, attempt);
            } else {
                reply->readAll(); // an error page: not the file
                return;
            }
            m_opened = true;
        }
        const QByteArray data = reply->readAll();
        if (!data.isEmpty() && m_file.write(data) != data.size())
            fail(reply, attempt);
    }

    void fail(QNetworkReply *reply, Attempt &attempt)
    {
        attempt.writeError = QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString());
        reply->abort();
    }

    QNetworkAccessManager m_manager;
    QUrl m_url;
    QFile m_file;
    const DownloadOptions &m_options;
    qint64 m_from = 0;
    qint64 m_base = 0;
    bool m_opened = false;
    QString m_rangeError;
};

} // namespace

DownloadResult downloadToFile(const QUrl &url, const QString &partPath, const DownloadOptions &options)
{
    const QString where = url.toString();
    const QFileInfo part(partPath);
    qint64 from = part.exists() ? part.size() : 0;
    Transfer transfer(url, partPath, options);
    Attempt attempt = transfer.get(from);
    if (attempt.status == 416 && from > 0) {
        // The server has no bytes past ours: the .part holds something else than the start of
        // this file (or all of it); only the whole file is certain.
        QFile::remove(partPath);
        from = 0;
        attempt = transfer.get(0);
    }
    if (!attempt.writeError.isEmpty())
        throw EngineError(attempt.writeError.toStdString());
    if (!transfer.rangeError().isEmpty())
        throw EngineError(
            (where + ": " + transfer.rangeError() + "; remove " + partPath + " to start over").toStdString());
    const qint64 have = QFileInfo(partPath).exists() ? QFileInfo(partPath).size() : 0;
    const QString kept = have > 0 ? QStringLiteral("; the %1 received are kept in %2: run the command again to resume "
                                                   "from there")
                                        .arg(sizeText(have), partPath)
                                  : QString();
    if (attempt.status >= 400)
        throw EngineError(QStringLiteral("%1: the server answered HTTP %2 (%3)")
                              .arg(where)
                              .arg(attempt.status)
                              .arg(attempt.errorText)
                              .toStdString());
    if (attempt.stalled)
        throw EngineError(QStringLiteral("%1: no data for %2 s, gave up%3")
                              .arg(where)
                              .arg(options.stallTimeoutMs / 1000.0)
                              .arg(kept)
                              .toStdString());
    if (attempt.error != QNetworkReply::NoError)
        throw EngineError(QStringLiteral("%1: %2%3").arg(where, attempt.errorText, kept).toStdString());
    if (attempt.status != 200 && attempt.status != 206)
        throw EngineError(QStringLiteral("%1: unexpected HTTP status %2").arg(where).arg(attempt.status).toStdString());
    DownloadResult result;
    result.resumedFrom = attempt.status == 206 ? from : 0;
    result.bytes = have;
    return result;
}

} // namespace ffint8
