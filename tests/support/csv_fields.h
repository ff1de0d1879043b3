// Reads CSV as RFC 4180 defines it, so that tests check what a spreadsheet would read, not our writer's text.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace ffint8::testing {

// RFC 4180 fields of one CSV text: quoted fields may hold commas, quotes (doubled) and newlines.
inline QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> rows{{}};
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.last() << field;
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.last() << field;
            field.clear();
            rows << QStringList{};
            ++i;
        } else {
            field += c;
        }
    }
    rows.removeLast(); // after the final CRLF
    return rows;
}

} // namespace ffint8::testing
