// `ffint8 export`: result tables from recorded runs.
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/export/result_table.h"
#include "app/spec/spec_error.h"
#include "app/store/run_store.h"
#include "app/system/writable_path.h"

#include <QSaveFile>
#include <QTextStream>

namespace ffint8 {

namespace {

const char *kExportUsage = "usage: ffint8 export (--runs IDS | --tag TAG | --suite NAME) [--format csv|md|latex|json]\n"
                           "                     [--layout long|paper] [--time epochs|to-target] [--by-board] [--baseline ALGO]\n"
                           "                     [--status STATUS] [--out FILE] [--db PATH]\n"
                           "       IDS: 3,5,8-12. Default format csv, layout long, baseline bp-fp32, all statuses (the paper\n"
                           "       layout leaves out runs that did not finish: cancelled, failed, interrupted, running).\n"
                           "       --time (paper layout): training time for all epochs (default), or to the runs' target\n"
                           "       accuracy (training.target_accuracy; n/r where not reached). The long layout has both.\n"
                           "       --by-board (paper layout): a row per model and board, for a store several boards share.\n";

// "3,5,8-12" -> 3 5 8 9 10 11 12.
QList<qint64> parseIds(const QString &text)
{
    QList<qint64> ids;
    for (const QString &part : text.split(',', Qt::SkipEmptyParts)) {
        bool okFirst = false, okLast = true;
        const qint64 first = part.section('-', 0, 0).toLongLong(&okFirst);
        const qint64 last = part.contains('-') ? part.section('-', 1, 1).toLongLong(&okLast) : first;
        if (!okFirst || !okLast || first <= 0 || last < first || last - first > 100000)
            throw SpecError(QStringLiteral("--runs: '%1' is not a run id or a range like 8-12").arg(part));
        for (qint64 id = first; id <= last; ++id)
            ids << id;
    }
    if (ids.isEmpty())
        throw SpecError("--runs: no run ids given");
    return ids;
}

} // namespace

int exportCommand(const QStringList &args)
{
    QTextStream out(stdout), err(stderr);
    QString database = RunStore::defaultPath(), outPath, idsText;
    RunFilter filter;
    TableOptions options;
    bool timeGiven = false;
    try {
        ArgumentReader reader(args);
        while (reader.next()) {
            const QString &arg = reader.current();
            if (arg == "--runs")
                idsText = reader.value();
            else if (arg == "--tag")
                filter.tag = reader.value();
            else if (arg == "--suite")
                filter.suite = reader.value();
            else if (arg == "--status")
                filter.status = reader.value();
            else if (arg == "--db")
                database = reader.value();
            else if (arg == "--out")
                outPath = reader.value();
            else if (arg == "--baseline")
                options.baseline = reader.value();
            else if (arg == "--format") {
                const QString name = reader.value();
                if (!tableFormatFromName(name, options.format))
                    throw SpecError(QStringLiteral("--format: '%1' is not one of csv, md, latex, json").arg(name));
            } else if (arg == "--time") {
                const QString name = reader.value();
                if (!tableTimeFromName(name, options.time))
                    throw SpecError(QStringLiteral("--time: '%1' is not one of epochs, to-target").arg(name));
                timeGiven = true;
            } else if (arg == "--by-board") {
                options.boardRows = true;
            } else if (arg == "--layout") {
                const QString name = reader.value();
                if (name != "long" && name != "paper")
                    throw SpecError(QStringLiteral("--layout: '%1' is not one of long, paper").arg(name));
                options.layout = name == "paper" ? TableLayout::Paper : TableLayout::Long;
            } else {
                throw SpecError(QStringLiteral("unknown argument %1").arg(arg));
            }
        }
        // The long layout has a column for each time: a choice there would be silently ignored.
        if (options.boardRows && options.layout != TableLayout::Paper)
            throw SpecError("--by-board splits the paper layout's rows by board (--layout paper); the long layout has a board column");
        if (timeGiven && options.layout != TableLayout::Paper)
            throw SpecError("--time chooses the paper layout's time (--layout paper); the long layout has both times");
        const int selections = int(!idsText.isEmpty()) + int(!filter.tag.isEmpty()) + int(!filter.suite.isEmpty());
        if (selections != 1)
            throw SpecError("choose the runs with exactly one of --runs, --tag, --suite");
        // Before the store is read: a table that cannot be written is said at once.
        if (!outPath.isEmpty()) {
            const QString why = whyNotWritable(outPath);
            if (!why.isEmpty())
                throw SpecError("--out: " + why);
        }
    } catch (const SpecError &e) {
        err << "ffint8 export: " << e.what() << "\n" << kExportUsage;
        return ExitUsage;
    }
    try {
        RunStore store(database);
        QList<qint64> ids;
        if (!idsText.isEmpty()) {
            ids = parseIds(idsText);
        } else {
            for (const RunRecord &r : store.runs(filter))
                ids << r.id;
            if (ids.isEmpty()) {
                err << "ffint8 export: no run in " << database << " has "
                    << (filter.tag.isEmpty() ? "suite '" + filter.suite : "tag '" + filter.tag) << "'\n";
                return ExitError;
            }
        }
        QStringList leftOut;
        const QString table = exportTable(store, ids, options, &leftOut);
        if (!leftOut.isEmpty() && (options.format == TableFormat::Csv || options.format == TableFormat::Json))
            err << "ffint8 export: the paper layout leaves out the runs that did not finish: " << leftOut.join(", ") << "\n";
        if (outPath.isEmpty()) {
            out << table;
            return ExitOk;
        }
        // Written whole or not at all: an existing table is never left half overwritten.
        QSaveFile file(outPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(table.toUtf8()) < 0 || !file.commit()) {
            err << "ffint8 export: cannot write " << outPath << ": " << file.errorString() << "\n";
            return ExitError;
        }
        err << "wrote " << ids.size() << " runs to " << outPath << "\n";
        return ExitOk;
    } catch (const SpecError &e) {
        err << "ffint8 export: " << e.what() << "\n";
        return ExitUsage;
    } catch (const std::exception &e) {
        err << "ffint8 export: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
