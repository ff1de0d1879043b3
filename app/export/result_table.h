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

// "csv", "md" (or "markdown"), "latex" (or "tex"), "json"; false for anything else.
bool tableFormatFromName(const QString &name, TableFormat &out);
QString tableFormatSuffix(TableFormat format); // "csv", "md", "tex", "json"

struct TableOptions
{
    TableLayout layout = TableLayout::Long;
    TableFormat format = TableFormat::Csv;
    QString baseline = QStringLiteral("bp-fp32"); // the method the paper layout's ratios divide by
};

// The table of the given runs, in the order given. Throws StoreError for an id with no run.
QString exportTable(RunStore &store, const QList<qint64> &runIds, const TableOptions &options);

} // namespace ffint8
