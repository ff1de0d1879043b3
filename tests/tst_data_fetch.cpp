// `ffint8 data fetch` against a local HTTP server: loads, resumes, refuses bad checksums, unpacks tar, helps.
#include "app/data/dataset_fetch.h"
#include "app/data/tar_extract.h"
#include "engine/data/dataset.h"
#include "support/cli_process.h"
#include "support/exception_message.h"
#include "support/local_http_server.h"

#include <QCryptographicHash>
#include <QtTest>
#include <zlib.h>

using namespace ffint8;
using ffint8::testing::messageOf;

namespace {

void appendBigEndian(QByteArray &bytes, quint32 v)
{
    bytes.append(char(v >> 24)).append(char(v >> 16)).append(char(v >> 8)).append(char(v));
}

quint8 pixel(int image, int p)
{
    return quint8((image * 29 + p * 5 + 1) % 256);
}

QByteArray idxImages(int count, int side, int first)
{
    QByteArray bytes;
    appendBigEndian(bytes, 0x803);
    appendBigEndian(bytes, quint32(count));
    appendBigEndian(bytes, quint32(side));
    appendBigEndian(bytes, quint32(side));
    for (int i = 0; i < count; ++i)
        for (int p = 0; p < side * side; ++p)
            bytes.append(char(pixel(first + i, p)));
    return bytes;
}

QByteArray idxLabels(int count, int first)
{
    QByteArray bytes;
    appendBigEndian(bytes, 0x801);
    appendBigEndian(bytes, quint32(count));
    for (int i = 0; i < count; ++i)
        bytes.append(char((first + i) % 10));
    return bytes;
}

// gzip (not zlib) framing, as the published .gz files have.
QByteArray gzip(const QByteArray &data)
{
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(int(deflateBound(&z, uLong(data.size()))) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    z.avail_in = uInt(data.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(int(z.total_out));
    deflateEnd(&z);
    return rc == Z_STREAM_END ? out : QByteArray();
}

QString md5(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
}

// Writes `bytes` over the header from `offset` on, leaving its size alone.
void put(QByteArray &header, int offset, const QByteArray &bytes)
{
    for (int i = 0; i < bytes.size(); ++i)
        header[offset + i] = bytes[i];
}

// One ustar entry: a 512-byte header and the data padded to whole blocks.
QByteArray tarEntry(const QByteArray &name, const QByteArray &data, char type = '0')
{
    QByteArray header(512, '\0');
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0001750");
    put(header, 116, "0001750");
    put(header, 124, QByteArray::number(data.size(), 8).rightJustified(11, '0'));
    put(header, 136, "14544315661");
    header[156] = type;
    put(header, 257, "ustar");
    put(header, 263, "00");
    put(header, 148, "        ");
    unsigned sum = 0;
    for (char c : header)
        sum += quint8(c);
    put(header, 148, QByteArray::number(sum, 8).rightJustified(6, '0'));
    header[154] = '\0';
    QByteArray padded = data;
    padded.append(QByteArray(int((512 - data.size() % 512) % 512), '\0'));
    return header + padded;
}

QByteArray cifarBatch(int records, int first)
{
    QByteArray bytes;
    for (int r = 0; r < records; ++r) {
        bytes.append(char((first + r) % 10));
        for (int p = 0; p < 3 * 32 * 32; ++p)
            bytes.append(char(pixel(first + r, p)));
    }
    return bytes;
}

QByteArray cifarArchive()
{
    QByteArray tar = tarEntry("cifar-10-batches-bin/", {}, '5');
    for (int b = 1; b <= 5; ++b)
        tar += tarEntry("cifar-10-batches-bin/data_batch_" + QByteArray::number(b) + ".bin", cifarBatch(2, 2 * b));
    tar += tarEntry("cifar-10-batches-bin/test_batch.bin", cifarBatch(3, 100));
    tar += tarEntry("cifar-10-batches-bin/batches.meta.txt", "airplane\nautomobile\n");
    tar += QByteArray(1024, '\0');
    return gzip(tar);
}

const QStringList kIdxFiles = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                               "t10k-labels-idx1-ubyte.gz"};

} // namespace

class TestDataFetch : public QObject
{
    Q_OBJECT

    ffint8::testing::LocalHttpServer m_server;
    QMap<QString, QByteArray> m_idx; // file name -> the served bytes
    QByteArray m_cifar;

    // The data set the tests fetch: the catalog's files with the checksums of the served bytes.
    RemoteDataset idxDataset(const QString &name = "mnist") const
    {
        RemoteDataset d{name, name, m_server.baseUrl(), {}, false, {}};
        for (const QString &file : kIdxFiles)
            d.files << RemoteFile{file, md5(m_idx[file])};
        return d;
    }

    RemoteDataset cifarDataset() const
    {
        RemoteDataset d = *remoteDataset("cifar10");
        d.baseUrl = m_server.baseUrl();
        d.files = {{"cifar-10-binary.tar.gz", md5(m_cifar)}};
        return d;
    }

    static FetchOptions into(const QString &root)
    {
        FetchOptions o;
        o.root = root;
        o.stallTimeoutMs = 20000;
        return o;
    }

    // Runs the ffint8 binary while this thread keeps serving HTTP.
    ffint8::testing::CliResult runServing(const QStringList &args, const QMap<QString, QString> &env = {})
    {
        QProcess p;
        ffint8::testing::startCli(p, args, env);
        QElapsedTimer timer;
        timer.start();
        while (p.state() != QProcess::NotRunning && timer.elapsed() < 60000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        return ffint8::testing::finishCli(p, 1000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
        m_idx["train-images-idx3-ubyte.gz"] = gzip(idxImages(40, 28, 0));
        m_idx["train-labels-idx1-ubyte.gz"] = gzip(idxLabels(40, 0));
        m_idx["t10k-images-idx3-ubyte.gz"] = gzip(idxImages(10, 28, 500));
        m_idx["t10k-labels-idx1-ubyte.gz"] = gzip(idxLabels(10, 500));
        for (auto it = m_idx.begin(); it != m_idx.end(); ++it)
            m_server.setFile(it.key(), it.value());
        m_cifar = cifarArchive();
        QVERIFY(!m_cifar.isEmpty());
        m_server.setFile("cifar-10-binary.tar.gz", m_cifar);
    }

    void fetchesIdxFilesThatLoad()
    {
        QTemporaryDir root;
        m_server.clearRequests();
        const FetchResult result = fetchDataset(idxDataset(), into(root.path()));
        QCOMPARE(result.downloaded, 4);
        QCOMPARE(result.folder, root.filePath("mnist"));
        for (const QString &file : kIdxFiles) {
            QFile f(root.filePath("mnist/" + file));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), m_idx[file]);
            QVERIFY(!QFile::exists(f.fileName() + ".part"));
        }
        // By name, in the search path the fetch wrote to, as `--dataset mnist` finds it.
        const DatasetSplits splits = loadDataset("mnist", {root.path().toStdString()});
        QCOMPARE(splits.train.count, 40);
        QCOMPARE(splits.test.count, 10);
        QCOMPARE(splits.train.labels[7], quint8(7));
        QCOMPARE(splits.test.image(2)[3], float(pixel(502, 3)) / 255.0f);

        // Fetching again keeps the verified files and asks the server for nothing.
        m_server.clearRequests();
        QStringList notes;
        FetchOptions again = into(root.path());
        again.note = [&](const QString &line) { notes << line; };
        const FetchResult second = fetchDataset(idxDataset(), again);
        QCOMPARE(second.downloaded, 0);
        QCOMPARE(second.present, 4);
        QCOMPARE(m_server.requests().size(), 0);
        QVERIFY2(notes.join('\n').contains("already here, checksum matches"), qPrintable(notes.join('\n')));
    }

    void fetchesCifarAndUnpacksIt()
    {
        QTemporaryDir root;
        const FetchResult result = fetchDataset(cifarDataset(), into(root.path()));
        QCOMPARE(result.downloaded, 1);
        QVERIFY(QFile::exists(root.filePath("cifar10/cifar-10-batches-bin/data_batch_5.bin")));
        QVERIFY(QFile::exists(root.filePath("cifar10/cifar-10-batches-bin/batches.meta.txt")));
        // The archive goes once unpacked; the loaders read the batches.
        QVERIFY(!QFile::exists(root.filePath("cifar10/cifar-10-binary.tar.gz")));
        const DatasetSplits splits = loadDataset("cifar10", {root.path().toStdString()});
        QCOMPARE(splits.train.count, 10);
        QCOMPARE(splits.test.count, 3);
        QCOMPARE(splits.train.labels[9], quint8(11 % 10));
        // Record 0 of test_batch: pixel 5 of the red plane is channel 0 of pixel 5 (channels last).
        QCOMPARE(splits.test.image(0)[5 * 3], float(pixel(100, 5)) / 255.0f);

        m_server.clearRequests();
        const FetchResult second = fetchDataset(cifarDataset(), into(root.path()));
        QCOMPARE(second.present, 1);
        QCOMPARE(m_server.requests().size(), 0);
    }

    void resumesACutDownload()
    {
        QTemporaryDir root;
        const QString file = "train-images-idx3-ubyte.gz";
        const qint64 cut = m_idx[file].size() / 3;
        QVERIFY(cut > 100);
        m_server.cutOnce(file, cut);
        m_server.clearRequests();
        const QString first = messageOf([&] { fetchDataset(idxDataset(), into(root.path())); });
        QVERIFY2(first.contains(file) && first.contains("run the command again") && first.contains(".part"),
                 qPrintable(first));
        const QString part = root.filePath("mnist/" + file + ".part");
        QCOMPARE(QFileInfo(part).size(), cut);
        QVERIFY(!QFile::exists(root.filePath("mnist/" + file)));

        m_server.clearRequests();
        QStringList notes;
        FetchOptions again = into(root.path());
        again.note = [&](const QString &line) { notes << line; };
        const FetchResult result = fetchDataset(idxDataset(), again);
        QCOMPARE(result.downloaded, 4);
        bool ranged = false;
        for (const auto &r : m_server.requests())
            if (r.path == file) {
                QCOMPARE(r.range, QStringLiteral("bytes=%1-").arg(cut));
                ranged = true;
            }
        QVERIFY(ranged);
        QVERIFY2(notes.join('\n').contains(QStringLiteral("resuming from byte %1").arg(cut)),
                 qPrintable(notes.join('\n')));
        QFile done(root.filePath("mnist/" + file));
        QVERIFY(done.open(QIODevice::ReadOnly));
        QCOMPARE(done.readAll(), m_idx[file]);
        QVERIFY(!QFile::exists(part));
        QCOMPARE(loadDataset("mnist", {root.path().toStdString()}).train.count, 40);
    }

    void aServerIgnoringRangeStartsOver()
    {
        // A .part that is not the start of the file and as long as it: the server cannot serve the
        // rest (416), so the whole file comes again and the checksum holds.
        QTemporaryDir root;
        const QString file = "t10k-labels-idx1-ubyte.gz";
        QVERIFY(QDir().mkpath(root.filePath("mnist")));
        QFile part(root.filePath("mnist/" + file + ".part"));
        QVERIFY(part.open(QIODevice::WriteOnly));
        part.write(QByteArray(m_idx[file].size(), 'x'));
        part.close();
        fetchDataset(idxDataset(), into(root.path()));
        QFile done(root.filePath("mnist/" + file));
        QVERIFY(done.open(QIODevice::ReadOnly));
        QCOMPARE(done.readAll(), m_idx[file]);
    }

    void refusesAWrongChecksum()
    {
        QTemporaryDir root;
        RemoteDataset d = idxDataset();
        const QString wrong = "0123456789abcdef0123456789abcdef";
        d.files[1].md5 = wrong;
        const QString message = messageOf([&] { fetchDataset(d, into(root.path())); });
        const QString path = root.filePath("mnist/train-labels-idx1-ubyte.gz");
        QVERIFY2(message.contains(path) && message.contains(wrong)
                     && message.contains(md5(m_idx["train-labels-idx1-ubyte.gz"])) && message.contains("removed"),
                 qPrintable(message));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!QFile::exists(path + ".part"));
        // The file before it was right and stays.
        QVERIFY(QFile::exists(root.filePath("mnist/train-images-idx3-ubyte.gz")));
    }

    void commandRefusesFilesOtherThanThePublished()
    {
        // The command line checks the published MD5 sums: the test's small files are not MNIST.
        QTemporaryDir root;
        const auto r
            = runServing({"data", "fetch", "mnist", "--mirror", m_server.baseUrl()}, {{"FFINT8_DATA", root.path()}});
        QCOMPARE(r.exitCode, 1);
        const QString path = root.filePath("mnist/train-images-idx3-ubyte.gz");
        QVERIFY2(r.err.contains(path) && r.err.contains("f68b3c2dcbeaaa9fbdd348bbdeb94873")
                     && r.err.contains(md5(m_idx["train-images-idx3-ubyte.gz"])),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!QFile::exists(path + ".part"));
        // Not a terminal: progress comes as whole lines, the last at 100 %.
        QVERIFY2(r.err.contains(QRegularExpression("train-images-idx3-ubyte.gz +100 %")), qPrintable(r.err));
        QVERIFY2(!r.err.contains('\r'), qPrintable(r.err));
    }

    void commandFetchesIntoDir()
    {
        // CIFAR-10 through the command line with --dir; its archive's checksum is not the published
        // one either, so what the command says about it is checked, and the test's own catalog
        // (above) covers unpacking.
        QTemporaryDir root;
        const auto r
            = runServing({"data", "fetch", "cifar10", "--mirror", m_server.baseUrl().chopped(1), "--dir", root.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(root.filePath("cifar10/cifar-10-binary.tar.gz"))
                     && r.err.contains("c32a1d4ab5d03f1284b67883e8d87530"),
                 qPrintable(r.err));
    }

    void unreachableMirrorSaysSo()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        QTemporaryDir root;
        const QString mirror = QStringLiteral("http://127.0.0.1:%1/datasets").arg(port);
        const auto r = runServing({"data", "fetch", "fashion-mnist", "--mirror", mirror, "--dir", root.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot download train-images-idx3-ubyte.gz of fashion-mnist")
                     && r.err.contains(mirror + "/train-images-idx3-ubyte.gz") && r.err.contains("refused")
                     && r.err.contains("--mirror"),
                 qPrintable(r.err));
    }

    void aStalledServerIsGivenUp()
    {
        QTemporaryDir root;
        m_server.stallOnce("train-images-idx3-ubyte.gz");
        FetchOptions options = into(root.path());
        options.stallTimeoutMs = 300;
        const QString message = messageOf([&] { fetchDataset(idxDataset(), options); });
        QVERIFY2(message.contains("train-images-idx3-ubyte.gz") && message.contains("no data for 0.3 s"),
                 qPrintable(message));
    }

    void missingFileNamesTheStatus()
    {
        QTemporaryDir root;
        RemoteDataset d = idxDataset();
        d.files[0].name = "no-such-file.gz";
        const QString message = messageOf([&] { fetchDataset(d, into(root.path())); });
        QVERIFY2(message.contains("no-such-file.gz") && message.contains("HTTP 404"), qPrintable(message));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no subcommand") << QStringList{"data"} << "usage: ffint8 data fetch mnist|fashion-mnist|cifar10";
        QTest::newRow("unknown subcommand") << QStringList{"data", "get", "mnist"} << "unknown data command 'get'";
        QTest::newRow("no dataset") << QStringList{"data", "fetch"} << "needs a dataset";
        QTest::newRow("unknown dataset") << QStringList{"data", "fetch", "imagenet"}
                                         << "unknown dataset 'imagenet'; valid: mnist, fashion-mnist, cifar10";
        QTest::newRow("unknown flag") << QStringList{"data", "fetch", "mnist", "--force"} << "unknown flag --force";
        QTest::newRow("mirror needs a value")
            << QStringList{"data", "fetch", "mnist", "--mirror"} << "--mirror needs a value";
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const auto r = ffint8::testing::runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    void refusesAMirrorThatIsNoUrl()
    {
        QTemporaryDir root;
        const auto r
            = ffint8::testing::runCli({"data", "fetch", "mnist", "--mirror", "ftp://example/", "--dir", root.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("mirror 'ftp://example/' is not an http:// or https:// URL"), qPrintable(r.err));
    }

    void help()
    {
        for (const QStringList &args : {QStringList{"data", "--help"}, QStringList{"help", "data"}}) {
            const auto r = ffint8::testing::runCli(args);
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(
                r.out.startsWith("usage: ffint8 data fetch mnist|fashion-mnist|cifar10 [--mirror URL] [--dir DIR]"),
                qPrintable(r.out));
            QVERIFY2(r.out.contains("--mirror URL") && r.out.contains("--dir DIR") && r.out.contains("MD5"),
                     qPrintable(r.out));
        }
        const auto all = ffint8::testing::runCli({"help"});
        QVERIFY2(all.out.contains("data fetch mnist|fashion-mnist|cifar10"), qPrintable(all.out));
    }

    void tarRefusesNamesOutsideTheFolder_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("parent") << QByteArray("../escaped.bin");
        QTest::newRow("inner parent") << QByteArray("a/../../escaped.bin");
        QTest::newRow("absolute") << QByteArray("/tmp/escaped.bin");
    }

    void tarRefusesNamesOutsideTheFolder()
    {
        QFETCH(QByteArray, name);
        QTemporaryDir dir;
        const QString archive = dir.filePath("evil.tar");
        QFile f(archive);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(tarEntry(name, "x") + QByteArray(1024, '\0'));
        f.close();
        const QString message
            = messageOf([&] { extractTar(archive.toStdString(), dir.filePath("out").toStdString()); });
        QVERIFY2(message.contains(archive) && message.contains(QString::fromLatin1(name))
                     && message.contains("refusing"),
                 qPrintable(message));
        QVERIFY(!QFile::exists(dir.filePath("escaped.bin")));
    }

    void tarRefusesACorruptHeader()
    {
        QTemporaryDir dir;
        QByteArray tar = tarEntry("a.bin", "abc") + QByteArray(1024, '\0');
        tar[10] = 'Z'; // the checksum no longer matches
        const QString archive = dir.filePath("bad.tar");
        QFile f(archive);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(tar);
        f.close();
        const QString message
            = messageOf([&] { extractTar(archive.toStdString(), dir.filePath("out").toStdString()); });
        QVERIFY2(message.contains(archive) && message.contains("offset 0") && message.contains("checksum"),
                 qPrintable(message));
        const QString cut = dir.filePath("cut.tar");
        QFile c(cut);
        QVERIFY(c.open(QIODevice::WriteOnly));
        c.write(tarEntry("a.bin", QByteArray(2000, 'a')).left(512 + 700));
        c.close();
        const QString truncated = messageOf([&] { extractTar(cut.toStdString(), dir.filePath("out").toStdString()); });
        QVERIFY2(truncated.contains("truncated") && truncated.contains("a.bin"), qPrintable(truncated));
        QVERIFY(!QFile::exists(dir.filePath("out/a.bin")));
        QVERIFY(!QFile::exists(dir.filePath("out/a.bin.part")));
    }

    void tarReadsArchivesOfGnuTar_data()
    {
        QTest::addColumn<QString>("seed");
        // Made by GNU tar 1.34 in each of its formats (tests/fuzz/corpus/tar/README.md).
        QTest::newRow("gnu") << "gnu.tar.gz";
        QTest::newRow("ustar") << "ustar.tar.gz";
        QTest::newRow("pax") << "pax.tar";
    }

    void tarReadsArchivesOfGnuTar()
    {
        QFETCH(QString, seed);
        QTemporaryDir dir;
        const TarSummary s
            = extractTar(QStringLiteral(FFINT8_SOURCE_DIR "/tests/fuzz/corpus/tar/%1").arg(seed).toStdString(),
                         dir.path().toStdString());
        QCOMPARE(s.files, 3);
        QCOMPARE(s.skipped, 1); // the symbolic link
        QFile small(dir.filePath("set/small.txt"));
        QVERIFY(small.open(QIODevice::ReadOnly));
        QCOMPARE(small.readAll(), QByteArray("a small file\n"));
        // A name longer than ustar's 100 bytes: GNU's 'L' entry, ustar's prefix, pax's path record.
        const QString longName = "set/" + QString(60, 'd') + "/" + QString(70, 'f') + ".bin";
        QFile big(dir.filePath(longName));
        QVERIFY2(big.open(QIODevice::ReadOnly), qPrintable(longName));
        QCOMPARE(big.size(), qint64(1500));
        QVERIFY(!QFileInfo(dir.filePath("set/link")).exists());
    }
};

QTEST_GUILESS_MAIN(TestDataFetch)
#include "tst_data_fetch.moc"
