// Downloads, verifies and unpacks a dataset into the folder the loaders search.
#include "app/data/dataset_fetch.h"

#include "app/data/http_download.h"
#include "app/data/tar_extract.h"
#include "engine/core/error.h"
#include "engine/data/dataset.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtNetwork/qtnetworkglobal.h>
#if QT_CONFIG(ssl)
#include <QSslSocket>
#endif

namespace ffint8 {

namespace {

[[noreturn]] void fail(const QString &message)
{
    throw EngineError(message.toStdString());
}

QUrl baseUrlOf(const RemoteDataset &dataset, const QString &mirror)
{
    QString text = mirror.isEmpty() ? dataset.baseUrl : mirror;
    if (!text.endsWith('/'))
        text += '/';
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != "http" && url.scheme() != "https") || url.host().isEmpty())
        fail(QStringLiteral("mirror '%1' is not an http:// or https:// URL").arg(mirror));
    // Qt loads its TLS backend (OpenSSL) at run time: without it every https request would fail
    // with a vague "TLS initialization failed".
    bool tls = false;
#if QT_CONFIG(ssl)
    tls = QSslSocket::supportsSsl();
#endif
    if (url.scheme() == "https" && !tls)
        fail(QStringLiteral("%1 needs TLS, but Qt Network found no TLS backend here (it loads OpenSSL, libssl3, at "
                            "run time); install it, or give an http:// --mirror")
                 .arg(url.toString()));
    return url;
}

bool unpackedComplete(const RemoteDataset &dataset, const QDir &folder)
{
    if (!dataset.tarArchive || dataset.unpacked.isEmpty())
        return false;
    for (const QString &file : dataset.unpacked)
        if (!QFileInfo(folder.filePath(file)).isFile())
            return false;
    return true;
}

void note(const FetchOptions &options, const QString &line)
{
    if (options.note)
        options.note(line);
}

} // namespace

QString defaultDataRoot()
{
    const std::vector<std::string> paths = datasetSearchPaths();
    return paths.empty() ? QString() : QString::fromStdString(paths.front());
}

QString fileMd5(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Md5);
    if (!hash.addData(&file))
        fail(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    return QString::fromLatin1(hash.result().toHex());
}

FetchResult fetchDataset(const RemoteDataset &dataset, const FetchOptions &options)
{
    const QUrl base = baseUrlOf(dataset, options.baseUrl);
    const QString root = options.root.isEmpty() ? defaultDataRoot() : options.root;
    if (root.isEmpty())
        fail("no data folder: set FFINT8_DATA or HOME, or give --dir");
    const QDir folder(QDir(root).filePath(dataset.folder));
    if (!QDir().mkpath(folder.path()))
        fail(QStringLiteral("cannot create the data folder %1").arg(folder.path()));

    FetchResult result;
    result.folder = folder.path();
    for (const RemoteFile &file : dataset.files) {
        const QString target = folder.filePath(file.name);
        if (dataset.tarArchive && !QFileInfo::exists(target) && unpackedComplete(dataset, folder)) {
            note(options, QStringLiteral("%1: already unpacked in %2").arg(file.name, folder.path()));
            ++result.present;
            continue;
        }
        bool have = false;
        if (QFileInfo::exists(target)) {
            const QString actual = fileMd5(target);
            have = actual == file.md5;
            if (have) {
                note(options, QStringLiteral("%1: already here, checksum matches").arg(file.name));
                ++result.present;
            } else {
                note(options,
                     QStringLiteral("%1: here, but its MD5 is %2, not %3: downloading it again")
                         .arg(file.name, actual, file.md5));
                QFile::remove(target);
            }
        }
        if (!have) {
            const QUrl url = base.resolved(QUrl(file.name));
            const QString part = target + ".part";
            DownloadOptions download;
            download.stallTimeoutMs = options.stallTimeoutMs;
            if (options.progress)
                download.progress
                    = [&](qint64 received, qint64 total) { options.progress(file.name, received, total); };
            const qint64 partBytes = QFileInfo::exists(part) ? QFileInfo(part).size() : 0;
            if (partBytes > 0)
                note(options,
                     QStringLiteral("%1: resuming from byte %2 of the partial download %3")
                         .arg(file.name)
                         .arg(partBytes)
                         .arg(part));
            try {
                downloadToFile(url, part, download);
            } catch (const EngineError &e) {
                fail(QStringLiteral("cannot download %1 of %2: %3\nCheck the network connection, or give another "
                                    "--mirror.")
                         .arg(file.name, dataset.name, QString::fromUtf8(e.what())));
            }
            const QString actual = fileMd5(part);
            if (actual != file.md5) {
                // A wrong file is worse than none: nothing that does not match stays behind.
                QFile::remove(part);
                fail(QStringLiteral("%1: checksum mismatch: expected MD5 %2, got %3 (from %4); the file is removed. "
                                    "The mirror holds another file or the download was corrupted: run the command "
                                    "again, or give another --mirror.")
                         .arg(target, file.md5, actual, url.toString()));
            }
            QFile::remove(target);
            if (!QFile::rename(part, target))
                fail(QStringLiteral("cannot rename %1 to %2").arg(part, QFileInfo(target).fileName()));
            ++result.downloaded;
        }
        if (dataset.tarArchive) {
            const TarSummary unpacked = extractTar(target.toStdString(), folder.path().toStdString());
            // The unpacked files are what the loaders read; the archive would only double the space.
            QFile::remove(target);
            note(options,
                 QStringLiteral("%1: unpacked %2 files (%3 MiB) into %4")
                     .arg(file.name)
                     .arg(unpacked.files)
                     .arg(QString::number(double(unpacked.bytes) / 1048576.0, 'f', 1), folder.path()));
        }
    }
    return result;
}

} // namespace ffint8
