// Where each member and element of a JSON text is written, so that errors in specs and suites can
// name the line and column of the field at fault (QJsonDocument keeps no positions).
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace ffint8 {

struct TextPosition
{
    int line = 1;
    int column = 1;
};

// Paths join object keys and array indices with dots ("runs.2.set"); an object member maps to the
// offset of its key, an array element to the offset of its value. Meant for text that parsed.
QHash<QString, qsizetype> jsonPositions(const QByteArray &text);
TextPosition positionAt(const QByteArray &text, qsizetype offset);

// "NAME:LINE:COLUMN" of `path`, or of its nearest written parent. Array indices may also be
// written in brackets, as messages show them ("model.blocks[2].layers[0]" is "model.blocks.2.layers.0").
QString locateJsonPath(const QByteArray &text, const QString &displayName, const QString &path);

// "NAME:LINE:COLUMN: field 'PATH': MESSAGE", the form of every error in a spec or suite file.
QString jsonFieldError(const QByteArray &text, const QString &displayName, const QString &path, const QString &message);

} // namespace ffint8
