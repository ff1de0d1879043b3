// Table renderings.
#include "app/export/table_writer.h"

#include "app/export/latex_text.h"
#include "app/spec/json_integer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace ffint8 {

namespace {

bool isEmptyCell(const QVariant &v) { return v.isNull() || (v.typeId() == QMetaType::Double && !std::isfinite(v.toDouble())); }

bool isNumber(const QVariant &v)
{
    return v.typeId() == QMetaType::Double || v.typeId() == QMetaType::Int || v.typeId() == QMetaType::LongLong ||
           v.typeId() == QMetaType::ULongLong;
}

QJsonValue jsonOf(const QVariant &v)
{
    if (isEmptyCell(v))
        return QJsonValue(QJsonValue::Null);
    // Seeds: QJsonValue::fromVariant would round one above 2^63 through a double.
    if (v.typeId() == QMetaType::ULongLong)
        return jsonOfUnsigned(v.toULongLong());
    return QJsonValue::fromVariant(v);
}

QString shown(const QVariant &v, int decimals)
{
    if (isEmptyCell(v))
        return QString();
    if (v.typeId() == QMetaType::Double)
        return QString::number(v.toDouble(), 'f', decimals);
    return v.toString();
}

QString csvField(const QVariant &v)
{
    if (isEmptyCell(v))
        return QString();
    QString text = v.typeId() == QMetaType::Double ? QString::number(v.toDouble(), 'g', 10) : v.toString();
    if (text.contains(',') || text.contains('"') || text.contains('\n') || text.contains('\r'))
        text = '"' + text.replace('"', "\"\"") + '"';
    return text;
}

QString markdownCell(QString text)
{
    // A pipe ends a cell and a newline ends the row: both are written so they render as text.
    return text.replace('\\', "\\\\").replace('|', "\\|").replace("\r\n", "<br>").replace('\n', "<br>");
}

QString renderCsv(const Table &t)
{
    QStringList lines;
    QStringList head;
    for (const QString &h : t.header)
        head << csvField(h);
    lines << head.join(',');
    for (const QVariantList &row : t.rows) {
        QStringList fields;
        for (const QVariant &v : row)
            fields << csvField(v);
        lines << fields.join(',');
    }
    return lines.join("\r\n") + "\r\n";
}

QString renderMarkdown(const Table &t)
{
    QString text;
    if (!t.caption.isEmpty())
        text += "**" + markdownCell(t.caption) + "**\n\n";
    QStringList head, rule;
    for (int c = 0; c < t.header.size(); ++c) {
        head << markdownCell(t.header[c]);
        rule << (t.rows.isEmpty() || !isNumber(t.rows.first().value(c)) ? "---" : "---:");
    }
    text += "| " + head.join(" | ") + " |\n| " + rule.join(" | ") + " |\n";
    for (const QVariantList &row : t.rows) {
        QStringList cells;
        for (int c = 0; c < row.size(); ++c)
            cells << markdownCell(shown(row[c], t.decimals.value(c, 2)));
        text += "| " + cells.join(" | ") + " |\n";
    }
    for (const QString &note : t.notes)
        text += "\n" + markdownCell(note) + "\n";
    return text;
}

QString renderLatex(const Table &t)
{
    QList<char32_t> dropped;
    auto escaped = [&dropped](const QString &text) { return latexEscaped(text, &dropped); };
    QString align = "l";
    for (int c = 1; c < t.header.size(); ++c)
        align += !t.rows.isEmpty() && isNumber(t.rows.first().value(c)) ? "r" : "l";
    QStringList head;
    for (const QString &h : t.header)
        head << escaped(h);
    QString text = "% needs \\usepackage{booktabs} and \\usepackage{graphicx}\n\\begin{table}[t]\n\\centering\n";
    if (!t.caption.isEmpty())
        text += "\\caption{" + escaped(t.caption) + "}\n";
    // The long layout has 22 columns, far wider than a page. The tabular is set in a box first and
    // scaled down to the line width (graphicx's \resizebox) only when it is wider, so a narrow table
    // keeps its size. tabular* was not chosen: it only stretches the space between columns, it
    // cannot shrink a table that is too wide.
    text += "\\sbox0{\\begin{tabular}{" + align + "}\n\\toprule\n" + head.join(" & ") + " \\\\\n\\midrule\n";
    for (const QVariantList &row : t.rows) {
        QStringList cells;
        for (int c = 0; c < row.size(); ++c)
            cells << escaped(shown(row[c], t.decimals.value(c, 2)));
        text += cells.join(" & ") + " \\\\\n";
    }
    text += "\\bottomrule\n\\end{tabular}}\n\\ifdim\\wd0>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox0}\\else\\usebox0\\fi\n";
    for (const QString &note : t.notes)
        text += "\\par\\smallskip{\\footnotesize " + escaped(note) + "}\n";
    if (!dropped.isEmpty())
        text += "\\par\\smallskip{\\footnotesize Characters pdfLaTeX cannot typeset were left out: " + codePointList(dropped) + ".}\n";
    text += "\\end{table}\n";
    return text;
}

QString renderJson(const Table &t)
{
    QJsonArray rows;
    for (const QVariantList &row : t.rows) {
        QJsonObject object;
        for (int c = 0; c < t.header.size() && c < row.size(); ++c)
            object[t.header[c]] = jsonOf(row[c]);
        rows.append(object);
    }
    return QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Indented));
}

} // namespace

QString renderTable(const Table &table, TableFormat format)
{
    switch (format) {
    case TableFormat::Csv: return renderCsv(table);
    case TableFormat::Markdown: return renderMarkdown(table);
    case TableFormat::Latex: return renderLatex(table);
    case TableFormat::Json: return renderJson(table);
    }
    return {};
}

} // namespace ffint8
