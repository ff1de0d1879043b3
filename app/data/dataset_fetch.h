// `ffint8 data fetch`: a dataset's files downloaded, checked against their MD5 sums and unpacked where loaders look.
#pragma once

#include "app/data/dataset_catalog.h"

#include <QString>
#include <functional>

namespace ffint8 {

struct FetchOptions
{
    QString root; // the data root; the dataset goes into root/<folder>. Empty: defaultDataRoot()
    QString baseUrl; // replaces the dataset's own (--mirror); empty: the dataset's
    int stallTimeoutMs = 60000;
    // A file's download: bytes so far and its size (-1 while unknown).
    std::function<void(const QString &file, qint64 received, qint64 total)> progress;
    // One line for the user: a file already there, a resumed download, an unpacked archive.
    std::function<void(const QString &line)> note;
};

struct FetchResult
{
    QString folder; // where the dataset now is
    int downloaded = 0; // files fetched by this call
    int present = 0; // files that were there already with the right checksum
};

// Where `data fetch` puts datasets by default: the first of datasetSearchPaths(), $FFINT8_DATA or
// else the user data folder, so that `--dataset NAME` finds them.
QString defaultDataRoot();

// Fetches `dataset` (a file there already with the right checksum is kept; a .part file is
// resumed). Throws EngineError naming the file, URL or folder at fault: a failed download (what
// arrived stays in FILE.part), or a checksum that does not match, naming the file, the expected and
// the actual MD5 (the file is removed). Tests pass their own datasets; the command line passes
// remoteDataset()'s.
FetchResult fetchDataset(const RemoteDataset &dataset, const FetchOptions &options);

// The MD5 of a file in lower-case hex; throws EngineError when it cannot be read.
QString fileMd5(const QString &path);

} // namespace ffint8
