// `ffint8 data fetch NAME [--mirror URL] [--dir DIR]`: the command line and progress bar of dataset downloads.
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/data/dataset_catalog.h"
#include "app/data/dataset_fetch.h"
#include "app/spec/spec_error.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTextStream>
#include <unistd.h>

namespace ffint8 {

namespace {

struct FetchRequest
{
    QString name;
    QString mirror;
    QString dir;
};

FetchRequest parseArguments(const QStringList &args)
{
    const QString usage = "usage: ffint8 data fetch " + remoteDatasetNames().join('|') + " [--mirror URL] [--dir DIR]";
    if (args.isEmpty() || args.first() != "fetch")
        throw SpecError(args.isEmpty() ? usage
                                       : QStringLiteral("unknown data command '%1'; %2").arg(args.first(), usage));
    FetchRequest r;
    const QStringList rest = args.mid(1); // the reader keeps a reference
    ArgumentReader reader(rest);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (!reader.isFlag()) {
            if (!r.name.isEmpty())
                throw SpecError(QStringLiteral("unexpected argument '%1' (%2 was already given)").arg(arg, r.name));
            r.name = arg;
        } else if (arg == "--mirror") {
            r.mirror = reader.value();
        } else if (arg == "--dir") {
            r.dir = reader.value();
        } else {
            throw SpecError(QStringLiteral("unknown flag %1; valid flags: --mirror, --dir").arg(arg));
        }
    }
    if (r.name.isEmpty())
        throw SpecError("data fetch needs a dataset; " + usage);
    if (!remoteDataset(r.name))
        throw SpecError(QStringLiteral("unknown dataset '%1'; valid: %2").arg(r.name, remoteDatasetNames().join(", ")));
    return r;
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / 1048576.0, 'f', 1);
}

// A bar redrawn in place on a terminal; elsewhere (a log, a pipe) a line at every tenth of a file,
// so that logs show progress without thousands of lines.
class ProgressPrinter
{
public:
    ProgressPrinter() : m_err(stderr), m_terminal(isatty(STDERR_FILENO) == 1) { }

    void update(const QString &file, qint64 received, qint64 total)
    {
        if (file != m_file) {
            finish();
            m_file = file;
            m_lastStep = -1;
            m_timer.start();
        }
        if (m_terminal) {
            // Redrawing more often than 10 times a second only costs time.
            if (m_drawn && m_timer.elapsed() < 100 && received != total)
                return;
            m_timer.restart();
            m_err << '\r' << line(received, total) << "\x1b[K";
            m_err.flush();
            m_drawn = true;
            return;
        }
        const int step = total > 0 ? int(received * 10 / total) : int(received / (10 << 20));
        if (step != m_lastStep) {
            m_lastStep = step;
            m_err << line(received, total) << '\n';
            m_err.flush();
        }
    }

    // Ends the bar's line, so that what follows starts on a line of its own.
    void finish()
    {
        if (m_terminal && m_drawn)
            m_err << '\n';
        m_err.flush();
        m_drawn = false;
    }

private:
    QString line(qint64 received, qint64 total) const
    {
        if (total <= 0)
            return QStringLiteral("  %1  %2 MiB").arg(m_file, megabytes(received));
        const int percent = int(received * 100 / total);
        QString text = QStringLiteral("  %1  ").arg(m_file);
        if (m_terminal) {
            constexpr int width = 30;
            const int filled = int(received * width / total);
            text += '[' + QString(filled, '#') + QString(width - filled, ' ') + "]  ";
        }
        return text + QStringLiteral("%1 %  %2 of %3 MiB").arg(percent, 3).arg(megabytes(received), megabytes(total));
    }

    QTextStream m_err;
    bool m_terminal;
    bool m_drawn = false;
    QString m_file;
    int m_lastStep = -1;
    QElapsedTimer m_timer;
};

} // namespace

int dataCommand(const QStringList &args)
{
    QTextStream err(stderr);
    FetchRequest request;
    try {
        request = parseArguments(args);
    } catch (const SpecError &e) {
        err << "ffint8 data: " << e.what() << "\n";
        return ExitUsage;
    }
    ProgressPrinter progress;
    FetchOptions options;
    options.root = request.dir;
    options.baseUrl = request.mirror;
    options.progress
        = [&](const QString &file, qint64 received, qint64 total) { progress.update(file, received, total); };
    options.note = [&](const QString &line) {
        progress.finish();
        err << "  " << line << "\n";
        err.flush();
    };
    try {
        const FetchResult result = fetchDataset(*remoteDataset(request.name), options);
        progress.finish();
        QTextStream out(stdout);
        out << request.name << ": " << (result.downloaded + result.present) << " file(s) in " << result.folder << " ("
            << result.downloaded << " downloaded, " << result.present << " already there)\n";
        if (request.dir.isEmpty())
            out << "train on it with --dataset " << request.name << "\n";
        else
            out << "train on it with --dataset " << QDir::cleanPath(result.folder)
                << " (or FFINT8_DATA=" << QDir::cleanPath(request.dir) << " and --dataset " << request.name << ")\n";
        return ExitOk;
    } catch (const std::exception &e) {
        progress.finish();
        err << "ffint8 data: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
