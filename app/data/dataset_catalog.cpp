// The datasets `ffint8 data fetch` can download, with their published MD5 sums.
#include "app/data/dataset_catalog.h"

namespace ffint8 {

const QList<RemoteDataset> &remoteDatasets()
{
    static const QList<RemoteDataset> list = {
        {"mnist",
         "mnist",
         "https://ossci-datasets.s3.amazonaws.com/mnist/",
         {{"train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
          {"train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"},
          {"t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"},
          {"t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"}},
         false,
         {}},
        {"fashion-mnist",
         "fashion-mnist",
         "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
         {{"train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
          {"train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"},
          {"t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"},
          {"t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"}},
         false,
         {}},
        {"cifar10",
         "cifar10",
         "https://www.cs.toronto.edu/~kriz/",
         {{"cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"}},
         true,
         {"cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/data_batch_2.bin",
          "cifar-10-batches-bin/data_batch_3.bin", "cifar-10-batches-bin/data_batch_4.bin",
          "cifar-10-batches-bin/data_batch_5.bin", "cifar-10-batches-bin/test_batch.bin"}},
    };
    return list;
}

const RemoteDataset *remoteDataset(const QString &name)
{
    for (const RemoteDataset &d : remoteDatasets())
        if (d.name == name)
            return &d;
    return nullptr;
}

QStringList remoteDatasetNames()
{
    QStringList names;
    for (const RemoteDataset &d : remoteDatasets())
        names << d.name;
    return names;
}

} // namespace ffint8
