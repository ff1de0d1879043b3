// Tests the dataset readers (IDX raw and gzip, CIFAR-10 binary), the locator and the seeded splits.
#include "engine/core/error.h"
#include "engine/data/dataset.h"

#include <QtTest>
#include <algorithm>
#include <functional>
#include <numeric>
#include <set>
#include <zlib.h>

using namespace ffint8;

namespace {

void appendBigEndian(QByteArray &bytes, quint32 v)
{
    bytes.append(char(v >> 24)).append(char(v >> 16)).append(char(v >> 8)).append(char(v));
}

// A pattern that differs per image and per pixel, so a shifted or mixed-up read shows.
quint8 pixelValue(int image, int pixel)
{
    return quint8((image * 31 + pixel * 7 + 3) % 256);
}
quint8 labelValue(int image)
{
    return quint8((image * 3 + 1) % 10);
}

QByteArray idxImages(int count, int rows, int cols, quint32 magic = 0x803)
{
    QByteArray bytes;
    appendBigEndian(bytes, magic);
    appendBigEndian(bytes, quint32(count));
    appendBigEndian(bytes, quint32(rows));
    appendBigEndian(bytes, quint32(cols));
    for (int i = 0; i < count; ++i)
        for (int p = 0; p < rows * cols; ++p)
            bytes.append(char(pixelValue(i, p)));
    return bytes;
}

QByteArray idxLabels(int count, quint32 magic = 0x801)
{
    QByteArray bytes;
    appendBigEndian(bytes, magic);
    appendBigEndian(bytes, quint32(count));
    for (int i = 0; i < count; ++i)
        bytes.append(char(labelValue(i)));
    return bytes;
}

QByteArray cifarRecords(int count, int firstImage)
{
    QByteArray bytes;
    for (int i = 0; i < count; ++i) {
        bytes.append(char(labelValue(firstImage + i)));
        for (int p = 0; p < 3072; ++p)
            bytes.append(char(pixelValue(firstImage + i, p)));
    }
    return bytes;
}

void writeRaw(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(file.write(bytes), qint64(bytes.size()));
}

void writeGz(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    gzFile file = gzopen(QFile::encodeName(path).constData(), "wb");
    QVERIFY2(file, qPrintable(path));
    QCOMPARE(gzwrite(file, bytes.constData(), unsigned(bytes.size())), int(bytes.size()));
    QCOMPARE(gzclose(file), Z_OK);
}

void cutFile(const QString &path, qint64 size)
{
    QFile file(path);
    QVERIFY(file.resize(size));
}

// Writes the four IDX files of a small data set; returns the folder.
QString writeIdxFolder(const QString &dir, bool gz, int trainCount = 7, int testCount = 3, int rows = 4, int cols = 3)
{
    auto write = gz ? writeGz : writeRaw;
    QString suffix = gz ? ".gz" : "";
    write(dir + "/train-images-idx3-ubyte" + suffix, idxImages(trainCount, rows, cols));
    write(dir + "/train-labels-idx1-ubyte" + suffix, idxLabels(trainCount));
    write(dir + "/t10k-images-idx3-ubyte" + suffix, idxImages(testCount, rows, cols));
    write(dir + "/t10k-labels-idx1-ubyte" + suffix, idxLabels(testCount));
    return dir;
}

// Five training batches of batchSize records and a test batch of testCount records.
QString writeCifarFolder(const QString &dir, int batchSize = 2, int testCount = 3)
{
    for (int b = 0; b < 5; ++b)
        writeRaw(dir + QString("/data_batch_%1.bin").arg(b + 1), cifarRecords(batchSize, b * batchSize));
    writeRaw(dir + "/test_batch.bin", cifarRecords(testCount, 1000));
    return dir;
}

// The EngineError message of f, or an empty string when it did not throw.
QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const EngineError &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

DatasetSplits load(const QString &nameOrPath, const QStringList &searchPaths = {})
{
    std::vector<std::string> paths;
    for (const QString &p : searchPaths)
        paths.push_back(p.toStdString());
    return loadDataset(nameOrPath.toStdString(), paths);
}

void checkIdxValues(const Dataset &d, int count, int rows, int cols)
{
    QCOMPARE(d.count, count);
    QCOMPARE(d.channels, 1);
    QCOMPARE(d.height, rows);
    QCOMPARE(d.width, cols);
    QCOMPARE(d.numClasses, 10);
    QCOMPARE(d.images.size(), size_t(count * rows * cols));
    QCOMPARE(d.labels.size(), size_t(count));
    for (int i = 0; i < count; ++i) {
        QCOMPARE(int(d.labels[size_t(i)]), int(labelValue(i)));
        for (int p = 0; p < rows * cols; ++p)
            QVERIFY(d.image(i)[p] == float(pixelValue(i, p)) / 255.0f); // exact, not fuzzy
    }
}

// An in-memory data set whose first feature is the example's index, so any split can be traced back.
Dataset indexedDataset(int count)
{
    Dataset d;
    d.name = "indexed";
    d.count = count;
    d.height = 1;
    d.width = 2;
    for (int i = 0; i < count; ++i) {
        d.images.push_back(float(i));
        d.images.push_back(float(-i));
        d.labels.push_back(uint8_t(i % 10));
    }
    return d;
}

std::vector<int> indicesOf(const Dataset &d)
{
    std::vector<int> indices;
    for (int i = 0; i < d.count; ++i) {
        indices.push_back(int(d.image(i)[0]));
        if (d.image(i)[1] != -d.image(i)[0] || d.labels[size_t(i)] != indices.back() % 10)
            return {}; // features or label torn away from their example
    }
    return indices;
}

// Sets or clears an environment variable for one scope, then puts back what was there.
class EnvGuard
{
public:
    EnvGuard(const char *name) : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_old(qgetenv(name)) { }
    ~EnvGuard()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

} // namespace

class TestDatasets : public QObject
{
    Q_OBJECT

private slots:
    void idxReadsValues_data();
    void idxReadsValues();
    void idxGzipMatchesRaw();
    void idxTruncated_data();
    void idxTruncated();
    void idxTrailingBytes();
    void idxBadMagic_data();
    void idxBadMagic();
    void idxCountMismatch();
    void idxLabelOutOfRange();
    void idxDimensionMismatch();
    void idxMissingFile();
    void cifarReadsValues();
    void cifarBadSize();
    void cifarLabelOutOfRange();
    void missingDatasetListsEveryPlace_data();
    void missingDatasetListsEveryPlace();
    void missingFolderPath();
    void envTakesPrecedence();
    void splitValidation_data();
    void splitValidation();
    void splitValidationErrors();
    void shuffledIndices_data();
    void shuffledIndices();
    void shuffledIndicesGolden();
    void truncate();
    void realFashionMnist();
};

void TestDatasets::idxReadsValues_data()
{
    QTest::addColumn<bool>("gz");
    QTest::addColumn<QString>("separator"); // "-idx3-ubyte" or ".idx3-ubyte" spelling
    QTest::newRow("raw") << false << "-";
    QTest::newRow("gzip") << true << "-";
    QTest::newRow("raw, dotted names") << false << ".";
    QTest::newRow("gzip, dotted names") << true << ".";
}

void TestDatasets::idxReadsValues()
{
    QFETCH(bool, gz);
    QFETCH(QString, separator);
    QTemporaryDir tmp;
    QString dir = tmp.path() + "/fashion-mnist";
    auto write = gz ? writeGz : writeRaw;
    QString suffix = gz ? ".gz" : "";
    write(dir + "/train-images" + separator + "idx3-ubyte" + suffix, idxImages(7, 4, 3));
    write(dir + "/train-labels" + separator + "idx1-ubyte" + suffix, idxLabels(7));
    write(dir + "/t10k-images" + separator + "idx3-ubyte" + suffix, idxImages(3, 4, 3));
    write(dir + "/t10k-labels" + separator + "idx1-ubyte" + suffix, idxLabels(3));

    DatasetSplits splits = load("fashion-mnist", {tmp.path()});
    checkIdxValues(splits.train, 7, 4, 3);
    checkIdxValues(splits.test, 3, 4, 3);
    QCOMPARE(splits.validation.count, 0);
    QCOMPARE(splits.train.name, std::string("fashion-mnist"));
    QCOMPARE(QString::fromStdString(splits.sourceDir), dir);

    // The same folder by path still gets the canonical name.
    QCOMPARE(load(dir).train.name, std::string("fashion-mnist"));
}

void TestDatasets::idxGzipMatchesRaw()
{
    QTemporaryDir tmp;
    // Big enough that the gzip reader crosses its buffer boundaries.
    DatasetSplits raw = load(writeIdxFolder(tmp.path() + "/raw", false, 3000, 500, 28, 28));
    DatasetSplits gz = load(writeIdxFolder(tmp.path() + "/gz", true, 3000, 500, 28, 28));
    QCOMPARE(gz.train.count, 3000);
    QVERIFY(raw.train.images == gz.train.images);
    QVERIFY(raw.train.labels == gz.train.labels);
    QVERIFY(raw.test.images == gz.test.images);
    QVERIFY(raw.test.labels == gz.test.labels);
    checkIdxValues(gz.train, 3000, 28, 28);
}

void TestDatasets::idxTruncated_data()
{
    QTest::addColumn<bool>("gz");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("keepBytes"); // < 0: keep the size minus this many
    QTest::addColumn<QStringList>("expected");
    // 7 images of 4x3: 16 + 84 = 100 bytes; 7 labels: 8 + 7 = 15; 3 test images: 16 + 36 = 52.
    QTest::newRow("train images raw") << false << "train-images-idx3-ubyte" << 60
                                      << QStringList{"truncated", "100 bytes", "holds 60 bytes"};
    QTest::newRow("train labels raw") << false << "train-labels-idx1-ubyte" << 12
                                      << QStringList{"truncated", "15 bytes", "holds 12 bytes"};
    QTest::newRow("test images raw") << false << "t10k-images-idx3-ubyte" << 51
                                     << QStringList{"truncated", "52 bytes", "holds 51 bytes"};
    QTest::newRow("header cut") << false << "train-images-idx3-ubyte" << 10
                                << QStringList{"truncated", "16 bytes", "holds 10"};
    QTest::newRow("empty file") << false << "t10k-labels-idx1-ubyte" << 0 << QStringList{"truncated", "8 bytes"};
    QTest::newRow("images gz mid-stream") << true << "train-images-idx3-ubyte.gz" << -30 << QStringList{"truncated"};
    QTest::newRow("labels gz mid-stream") << true << "t10k-labels-idx1-ubyte.gz" << -10 << QStringList{"truncated"};
    QTest::newRow("gz trailer cut") << true << "train-images-idx3-ubyte.gz" << -4 << QStringList{"truncated"};
    QTest::newRow("gz header only") << true << "train-labels-idx1-ubyte.gz" << 10 << QStringList{"truncated"};
}

void TestDatasets::idxTruncated()
{
    QFETCH(bool, gz);
    QFETCH(QString, file);
    QFETCH(int, keepBytes);
    QFETCH(QStringList, expected);
    QTemporaryDir tmp;
    QString dir = writeIdxFolder(tmp.path() + "/set", gz);
    QString path = dir + "/" + file;
    cutFile(path, keepBytes >= 0 ? keepBytes : QFileInfo(path).size() + keepBytes);

    QString message = errorOf([&] { load(dir); });
    QVERIFY2(!message.isEmpty(), "no error for a truncated file");
    QVERIFY2(message.contains(path), qPrintable(message));
    for (const QString &text : expected)
        QVERIFY2(message.contains(text), qPrintable(message + "\n(expected: " + text + ")"));
}

void TestDatasets::idxTrailingBytes()
{
    QTemporaryDir tmp;
    QString dir = writeIdxFolder(tmp.path() + "/set", false);
    writeRaw(dir + "/t10k-labels-idx1-ubyte", idxLabels(3) + QByteArray(5, '\0'));
    QString message = errorOf([&] { load(dir); });
    QVERIFY2(message.contains(dir + "/t10k-labels-idx1-ubyte"), qPrintable(message));
    QVERIFY2(message.contains("11 bytes") && message.contains("holds 16 bytes"), qPrintable(message));
}

void TestDatasets::idxBadMagic_data()
{
    QTest::addColumn<bool>("gz");
    QTest::addColumn<bool>("images"); // corrupt the images file, else the labels file
    QTest::addColumn<quint32>("magic");
    QTest::addColumn<QString>("expectedMagic");
    QTest::newRow("images raw, labels magic") << false << true << quint32(0x801) << "0x00000803";
    QTest::newRow("images gz, float type") << true << true << quint32(0x0d03) << "0x00000803";
    QTest::newRow("labels raw, images magic") << false << false << quint32(0x803) << "0x00000801";
    QTest::newRow("labels gz, junk") << true << false << quint32(0xdeadbeef) << "0x00000801";
}

void TestDatasets::idxBadMagic()
{
    QFETCH(bool, gz);
    QFETCH(bool, images);
    QFETCH(quint32, magic);
    QFETCH(QString, expectedMagic);
    QTemporaryDir tmp;
    QString dir = writeIdxFolder(tmp.path() + "/set", gz);
    QString path = dir + (images ? "/train-images-idx3-ubyte" : "/train-labels-idx1-ubyte") + (gz ? ".gz" : "");
    (gz ? writeGz : writeRaw)(path, images ? idxImages(7, 4, 3, magic) : idxLabels(7, magic));

    QString message = errorOf([&] { load(dir); });
    QVERIFY2(message.contains(path), qPrintable(message));
    QVERIFY2(message.contains("bad magic"), qPrintable(message));
    QVERIFY2(message.contains(QString::asprintf("0x%08x", magic)), qPrintable(message));
    QVERIFY2(message.contains("expected " + expectedMagic), qPrintable(message));
}

void TestDatasets::idxCountMismatch()
{
    QTemporaryDir tmp;
    QString dir = writeIdxFolder(tmp.path() + "/set", true);
    writeGz(dir + "/t10k-labels-idx1-ubyte.gz", idxLabels(4));
    QString message = errorOf([&] { load(dir); });
    QVERIFY2(message.contains("count mismatch"), qPrintable(message));
    QVERIFY2(message.contains(dir + "/t10k-images-idx3-ubyte.gz") && message.contains("3 images"), qPrintable(message));
    QVERIFY2(message.contains(dir + "/t10k-labels-idx1-ubyte.gz") && message.contains("4 labels"), qPrintable(message));
}

void TestDatasets::idxLabelOutOfRange()
{
    QTemporaryDir tmp;
    QString dir = writeIdxFolder(tmp.path() + "/set", false);
    QByteArray labels = idxLabels(7);
    labels[8 + 5] = char(10);
    writeRaw(dir + "/train-labels-idx1-ubyte", labels);
    QString message = errorOf([&] { load(dir); });
    QVERIFY2(message.contains(dir + "/train-labels-idx1-ubyte"), qPrintable(message));
    QVERIFY2(message.contains("label 10 of example 5") && message.contains("offset 13"), qPrintable(message));
    QVERIFY2(message.contains("out of range 0..9"), qPrintable(message));
}

void TestDatasets::idxDimensionMismatch()
{
    QTemporaryDir tmp;
    QString dir = writeIdxFolder(tmp.path() + "/set", false);
    writeRaw(dir + "/t10k-images-idx3-ubyte", idxImages(3, 3, 4));
    QString message = errorOf([&] { load(dir); });
    QVERIFY2(message.contains("dimensions mismatch"), qPrintable(message));
    QVERIFY2(message.contains("4x3") && message.contains("3x4"), qPrintable(message));
    QVERIFY2(message.contains(dir + "/t10k-images-idx3-ubyte"), qPrintable(message));
}

void TestDatasets::idxMissingFile()
{
    QTemporaryDir tmp;
    QString dir = writeIdxFolder(tmp.path() + "/mnist", true);
    QVERIFY(QFile::remove(dir + "/t10k-labels-idx1-ubyte.gz"));
    // A half-copied folder is reported as such, not skipped in favour of another search path.
    QString message = errorOf([&] { load("mnist", {tmp.path()}); });
    QVERIFY2(message.contains(dir) && message.contains("missing t10k-labels-idx1-ubyte"), qPrintable(message));
}

void TestDatasets::cifarReadsValues()
{
    QTemporaryDir tmp;
    writeCifarFolder(tmp.path() + "/cifar10/cifar-10-batches-bin");
    DatasetSplits splits = load("CIFAR-10", {tmp.path()});
    QCOMPARE(splits.train.name, std::string("cifar10"));
    QCOMPARE(splits.test.name, std::string("cifar10"));
    QCOMPARE(QString::fromStdString(splits.sourceDir), tmp.path() + "/cifar10/cifar-10-batches-bin");
    for (const Dataset *d : {&splits.train, &splits.test}) {
        QCOMPARE(d->channels, 3);
        QCOMPARE(d->height, 32);
        QCOMPARE(d->width, 32);
        QCOMPARE(d->features(), 3072);
    }
    QCOMPARE(splits.train.count, 10);
    QCOMPARE(splits.test.count, 3);
    // Batches are concatenated in order 1..5; the file's channel planes become channels last
    // (NHWC): file byte c * 1024 + p is image value p * 3 + c.
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(int(splits.train.labels[size_t(i)]), int(labelValue(i)));
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 1024; ++p)
                QVERIFY(splits.train.image(i)[p * 3 + c] == float(pixelValue(i, c * 1024 + p)) / 255.0f);
    }
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(int(splits.test.labels[size_t(i)]), int(labelValue(1000 + i)));
        QVERIFY(splits.test.image(i)[3071] == float(pixelValue(1000 + i, 3071)) / 255.0f); // last of both layouts
        QVERIFY(splits.test.image(i)[1] == float(pixelValue(1000 + i, 1024)) / 255.0f); // pixel 0, green
    }
    // The batches folder given directly works too.
    QCOMPARE(load(tmp.path() + "/cifar10/cifar-10-batches-bin").train.count, 10);
}

void TestDatasets::cifarBadSize()
{
    QTemporaryDir tmp;
    QString dir = writeCifarFolder(tmp.path() + "/cifar-10");
    writeRaw(dir + "/test_batch.bin", cifarRecords(2, 0) + QByteArray(5, '\1'));
    QString message = errorOf([&] { load("cifar10", {tmp.path()}); });
    QVERIFY2(message.contains(dir + "/test_batch.bin"), qPrintable(message));
    QVERIFY2(message.contains("6151"), qPrintable(message));
    QVERIFY2(message.contains("3073"), qPrintable(message));

    writeRaw(dir + "/data_batch_3.bin", QByteArray());
    message = errorOf([&] { load("cifar10", {tmp.path()}); });
    QVERIFY2(message.contains(dir + "/data_batch_3.bin") && message.contains("size 0"), qPrintable(message));

    QVERIFY(QFile::remove(dir + "/data_batch_4.bin"));
    message = errorOf([&] { load("cifar10", {tmp.path()}); });
    QVERIFY2(message.contains("missing data_batch_4.bin"), qPrintable(message));
}

void TestDatasets::cifarLabelOutOfRange()
{
    QTemporaryDir tmp;
    QString dir = writeCifarFolder(tmp.path() + "/set");
    QByteArray records = cifarRecords(2, 0);
    records[3073] = char(200);
    writeRaw(dir + "/data_batch_2.bin", records);
    QString message = errorOf([&] { load(dir); });
    QVERIFY2(message.contains(dir + "/data_batch_2.bin"), qPrintable(message));
    QVERIFY2(message.contains("label 200 of record 1") && message.contains("offset 3073"), qPrintable(message));
}

void TestDatasets::missingDatasetListsEveryPlace_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("folders");
    QTest::newRow("fashion-mnist") << "fashion-mnist"
                                   << QStringList{"fashion-mnist", "fashion_mnist", "fmnist", "FashionMNIST/raw"};
    QTest::newRow("fmnist alias") << "fmnist"
                                  << QStringList{"fashion-mnist", "fashion_mnist", "fmnist", "FashionMNIST/raw"};
    QTest::newRow("mnist") << "mnist" << QStringList{"mnist", "MNIST/raw"};
    QTest::newRow("cifar10") << "cifar10" << QStringList{"cifar10", "cifar-10", "cifar-10-batches-bin"};
    QTest::newRow("unknown name") << "kmnist" << QStringList{"kmnist"};
}

void TestDatasets::missingDatasetListsEveryPlace()
{
    QFETCH(QString, name);
    QFETCH(QStringList, folders);
    QTemporaryDir tmp;
    QStringList roots{tmp.path() + "/env", tmp.path() + "/user", tmp.path() + "/system"};
    QDir().mkpath(roots[0] + "/" + folders[0]); // exists, but empty: still not found
    QString message = errorOf([&] { load(name, roots); });
    QVERIFY2(message.contains("'" + name + "' not found"), qPrintable(message));
    for (const QString &root : roots)
        for (const QString &folder : folders)
            QVERIFY2(message.contains("\n  " + root + "/" + folder), qPrintable(message + "\nmissing: " + folder));
    QCOMPARE(message.count("\n  "), int(roots.size() * folders.size()));
    QVERIFY2(message.contains("FFINT8_DATA"), qPrintable(message));

    QString none = errorOf([&] { load(name, {}); });
    QVERIFY2(none.contains("no search paths"), qPrintable(none));
}

void TestDatasets::missingFolderPath()
{
    QTemporaryDir tmp;
    QString path = tmp.path() + "/nowhere/fashion-mnist";
    QString message = errorOf([&] { load(path); });
    QVERIFY2(message.contains(path) && message.contains("does not exist"), qPrintable(message));

    QDir().mkpath(tmp.path() + "/empty");
    message = errorOf([&] { load(tmp.path() + "/empty"); });
    QVERIFY2(message.contains(tmp.path() + "/empty") && message.contains("neither"), qPrintable(message));
}

void TestDatasets::envTakesPrecedence()
{
    EnvGuard data("FFINT8_DATA");
    EnvGuard xdg("XDG_DATA_HOME");
    QTemporaryDir tmp;
    QString envDir = tmp.path() + "/env";
    QString xdgDir = tmp.path() + "/xdg";
    writeIdxFolder(envDir + "/fashion-mnist", true, 5, 2);
    writeIdxFolder(xdgDir + "/ffint8/datasets/fashion_mnist", false, 6, 2);
    qputenv("FFINT8_DATA", envDir.toUtf8());
    qputenv("XDG_DATA_HOME", xdgDir.toUtf8());

    std::vector<std::string> paths = datasetSearchPaths();
    std::vector<std::string> expected{envDir.toStdString(), (xdgDir + "/ffint8/datasets").toStdString(),
                                      "/usr/share/datasets"};
    QVERIFY(paths == expected);
    // Found in $FFINT8_DATA although the user folder (and maybe /usr/share/datasets) has one too.
    DatasetSplits splits = loadDataset("fashion-mnist", paths);
    QCOMPARE(splits.train.count, 5);
    QCOMPARE(QString::fromStdString(splits.sourceDir), envDir + "/fashion-mnist");

    qunsetenv("FFINT8_DATA");
    paths = datasetSearchPaths();
    QCOMPARE(paths.size(), size_t(2));
    QCOMPARE(loadDataset("fashion-mnist", paths).train.count, 6);
}

void TestDatasets::splitValidation_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("validation");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("100 / 10") << 100 << 10 << quint64(1);
    QTest::newRow("100 / 99") << 100 << 99 << quint64(7);
    QTest::newRow("1000 / 250, big seed") << 1000 << 250 << quint64(0xFFFFFFFFFFFFFFFFull);
    QTest::newRow("2 / 1") << 2 << 1 << quint64(0);
}

void TestDatasets::splitValidation()
{
    QFETCH(int, count);
    QFETCH(int, validation);
    QFETCH(quint64, seed);
    auto split = [&](quint64 s) {
        DatasetSplits splits;
        splits.train = indexedDataset(count);
        ffint8::splitValidation(splits, validation, s);
        return splits;
    };
    DatasetSplits a = split(seed);
    QCOMPARE(a.validation.count, validation);
    QCOMPARE(a.train.count, count - validation);
    QCOMPARE(a.validation.images.size(), size_t(validation) * 2);
    QCOMPARE(a.train.labels.size(), size_t(count - validation));
    QCOMPARE(a.validation.name, std::string("indexed"));
    QCOMPARE(a.validation.width, 2);

    std::vector<int> train = indicesOf(a.train), valid = indicesOf(a.validation);
    QCOMPARE(train.size(), size_t(a.train.count)); // empty when an example was torn apart
    QCOMPARE(valid.size(), size_t(a.validation.count));
    std::set<int> all(train.begin(), train.end());
    all.insert(valid.begin(), valid.end());
    QCOMPARE(all.size(), size_t(count)); // disjoint and covering
    QCOMPARE(*all.begin(), 0);
    QCOMPARE(*all.rbegin(), count - 1);

    DatasetSplits again = split(seed);
    QVERIFY(indicesOf(again.validation) == valid);
    QVERIFY(indicesOf(again.train) == train);
    if (count >= 100)
        QVERIFY(indicesOf(split(seed + 1).validation) != valid);
}

void TestDatasets::splitValidationErrors()
{
    DatasetSplits splits;
    splits.train = indexedDataset(10);
    ffint8::splitValidation(splits, 0, 1);
    QCOMPARE(splits.train.count, 10);
    QCOMPARE(splits.validation.count, 0);

    QString message = errorOf([&] { ffint8::splitValidation(splits, 10, 1); });
    QVERIFY2(message.contains("leaves no training examples"), qPrintable(message));
    QCOMPARE(splits.train.count, 10);

    ffint8::splitValidation(splits, 3, 1);
    message = errorOf([&] { ffint8::splitValidation(splits, 3, 1); });
    QVERIFY2(message.contains("already"), qPrintable(message));
}

void TestDatasets::shuffledIndices_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("empty") << 0 << quint64(1);
    QTest::newRow("one") << 1 << quint64(1);
    QTest::newRow("ten") << 10 << quint64(42);
    QTest::newRow("60000") << 60000 << quint64(20240601);
    QTest::newRow("seed 0") << 1000 << quint64(0);
}

void TestDatasets::shuffledIndices()
{
    QFETCH(int, count);
    QFETCH(quint64, seed);
    std::vector<int> order = ffint8::shuffledIndices(count, seed);
    QCOMPARE(order.size(), size_t(count));
    std::vector<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> identity(static_cast<size_t>(count));
    std::iota(identity.begin(), identity.end(), 0);
    QVERIFY(sorted == identity);
    QVERIFY(ffint8::shuffledIndices(count, seed) == order);
    if (count >= 10) {
        QVERIFY(ffint8::shuffledIndices(count, seed + 1) != order);
        QVERIFY(order != identity);
    }
}

void TestDatasets::shuffledIndicesGolden()
{
    // The order must be the same with every compiler and standard library. These values came from an
    // independent Python transcription of SplitMix64, its unbiased bounded draw and Fisher-Yates.
    std::vector<int> expected{8, 3, 6, 5, 4, 0, 9, 2, 1, 7};
    std::vector<int> order = ffint8::shuffledIndices(10, 42);
    QVERIFY(order == expected);
}

void TestDatasets::truncate()
{
    Dataset d = indexedDataset(50);
    truncateDataset(d, 0);
    QCOMPARE(d.count, 50);
    truncateDataset(d, 80);
    QCOMPARE(d.count, 50);
    truncateDataset(d, 12);
    QCOMPARE(d.count, 12);
    QCOMPARE(d.images.size(), size_t(24));
    QCOMPARE(d.labels.size(), size_t(12));
    std::vector<int> identity(12);
    std::iota(identity.begin(), identity.end(), 0);
    QVERIFY(indicesOf(d) == identity);
}

void TestDatasets::realFashionMnist()
{
    const QString dir = "/usr/share/datasets/fashion-mnist";
    if (!QFileInfo::exists(dir + "/train-images-idx3-ubyte.gz") && !QFileInfo::exists(dir + "/train-images-idx3-ubyte"))
        QSKIP("Fashion-MNIST is not installed in /usr/share/datasets (package dataset-fashion-mnist)");
    QElapsedTimer timer;
    timer.start();
    DatasetSplits splits = load("fashion-mnist", {"/usr/share/datasets"});
    qInfo("loaded Fashion-MNIST in %lld ms", qint64(timer.elapsed()));
    QCOMPARE(splits.train.count, 60000);
    QCOMPARE(splits.test.count, 10000);
    for (const Dataset *d : {&splits.train, &splits.test}) {
        QCOMPARE(d->height, 28);
        QCOMPARE(d->width, 28);
        QCOMPARE(d->channels, 1);
        QCOMPARE(d->images.size(), size_t(d->count) * 784);
        // Fashion-MNIST is balanced: 6000 training and 1000 test examples per class.
        std::vector<int> perClass(10);
        for (uint8_t label : d->labels) {
            QVERIFY(label < 10);
            ++perClass[label];
        }
        for (int n : perClass)
            QCOMPARE(n, d->count / 10);
        auto [lo, hi] = std::minmax_element(d->images.begin(), d->images.end());
        QCOMPARE(*lo, 0.0f);
        QCOMPARE(*hi, 1.0f);
    }
}

QTEST_APPLESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
