// A rectangular table of values and its four renderings: CSV (RFC 4180: CRLF, quoted where needed),
// Markdown (a pipe table as forges render it), LaTeX (a booktabs table) and JSON (an array of objects
// keyed by the header). Numbers keep their precision in CSV and JSON; text formats show `decimals`.
#pragma once

#include "app/export/result_table.h"

#include <QList>
#include <QStringList>
#include <QVariant>

namespace ffint8 {

struct Table
{
    QString caption;          // LaTeX caption and Markdown heading; empty: none
    QStringList header;
    QList<int> decimals;      // per column, for doubles in Markdown and LaTeX
    QList<QVariantList> rows; // QString, int/qint64, double or null QVariant (an empty cell)
    QStringList notes;        // lines printed under the table (Markdown, LaTeX)
};

QString renderTable(const Table &table, TableFormat format);

} // namespace ffint8
