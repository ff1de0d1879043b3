// Result tables from stored runs: the long table (one row per run) and the paper's layout (Table V:
// rows = models, columns = methods, cells = accuracy / time / energy / memory, mean and standard
// deviation over seeds, ratios to a baseline method), written as CSV (RFC 4180), Markdown (a forge's
// pipe table), LaTeX (booktabs) or JSON.
#pragma once

#include <QList>
#include <QString>

namespace ffint8 {

class RunStore;

enum class TableFormat { Csv, Markdown, Latex, Json };
enum class TableLayout { Long, Paper };
// The paper layout's time: training seconds for all the run's epochs (Table V as measured so far),
// or up to the end of the first epoch whose test accuracy reached the run's target accuracy.
enum class TableTime { Epochs, ToTarget };

// "csv", "md" (or "markdown"), "latex" (or "tex"), "json"; false for anything else.
bool tableFormatFromName(const QString &name, TableFormat &out);
QString tableFormatSuffix(TableFormat format); // "csv", "md", "tex", "json"

struct TableOptions
{
    TableLayout layout = TableLayout::Long;
    TableFormat format = TableFormat::Csv;
    QString baseline = QStringLiteral("bp-fp32"); // the method the paper layout's ratios divide by
    TableTime time = TableTime::Epochs;           // the paper layout's time (the long one has both)
    bool boardRows = false; // the paper layout: a row per model and board (a lab's store), not per model
};

// "epochs" or "to-target"; false for anything else.
bool tableTimeFromName(const QString &name, TableTime &out);

// The table of the given runs, in the order given. The paper layout leaves out the runs that did
// not finish (cancelled, failed, interrupted, still running: a part run's figures; a diverged run
// stays in, a method's collapse is its result), names them in a note under the Markdown and LaTeX
// tables, and gives them in `leftOut` as "12 (cancelled)", since CSV and JSON have no place for a
// note. Throws StoreError for an id with no run.
QString exportTable(RunStore &store, const QList<qint64> &runIds, const TableOptions &options, QStringList *leftOut = nullptr);

} // namespace ffint8
