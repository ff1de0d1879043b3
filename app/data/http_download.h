// One file over HTTP(S) into a `.part` file, resuming what an earlier, cut-off download left there (a Range request).
#pragma once

#include <QString>
#include <QUrl>
#include <functional>

namespace ffint8 {

struct DownloadOptions
{
    // Bytes of the file so far and its size (-1 while unknown), as data arrives.
    std::function<void(qint64 received, qint64 total)> progress;
    // A transfer that receives nothing for this long is given up (and can be resumed).
    int stallTimeoutMs = 60000;
};

struct DownloadResult
{
    qint64 resumedFrom = 0; // bytes that were in the .part file and were kept (0: from the start)
    qint64 bytes = 0; // the file's size once complete
};

// Downloads `url` into `partPath`. When the file holds bytes already, asks for the rest only
// (Range: bytes=N-) and appends; a server that answers with the whole file instead starts it over.
// Throws EngineError naming the URL and what went wrong (no connection, an HTTP status, a stall);
// whatever arrived stays in `partPath` for the next try.
DownloadResult downloadToFile(const QUrl &url, const QString &partPath, const DownloadOptions &options = {});

} // namespace ffint8
