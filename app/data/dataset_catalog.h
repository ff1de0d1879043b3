// The datasets `data fetch` downloads: their URLs, files, published MD5 sums and the folder the loaders search.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace ffint8 {

struct RemoteFile
{
    QString name; // the file's name at the base URL, and on disk
    QString md5; // lower-case hex, as the dataset's publishers (and torchvision) list it
};

struct RemoteDataset
{
    QString name; // as `--dataset` takes it: mnist, fashion-mnist, cifar10
    QString folder; // the sub-folder of a data root that the loaders search first (dataset_locator.cpp)
    QString baseUrl; // ends with '/'; a file's URL is baseUrl + its name
    QList<RemoteFile> files;
    // A .tar.gz to unpack into the folder (and remove once unpacked); the IDX sets' .gz files are
    // read as they are. `unpacked` lists what unpacking gives, relative to the folder: when all of
    // it is there and the archive is not, the dataset is complete.
    bool tarArchive = false;
    QStringList unpacked;
};

// The three datasets, with the official URLs: MNIST from the mirror torchvision uses (the original
// site refuses scripted downloads), Fashion-MNIST from Zalando's, CIFAR-10 from Toronto's.
const QList<RemoteDataset> &remoteDatasets();
// The dataset of that name, or nullptr.
const RemoteDataset *remoteDataset(const QString &name);
QStringList remoteDatasetNames();

} // namespace ffint8
