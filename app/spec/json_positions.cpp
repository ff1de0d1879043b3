// A small scanner over valid JSON that notes where each path is written.
#include "app/spec/json_positions.h"

#include <QList>

namespace ffint8 {

QHash<QString, qsizetype> jsonPositions(const QByteArray &text)
{
    struct Level
    {
        bool array;
        QString path;
        int index;      // arrays: the next element's index
        QString key;    // objects: the member whose value comes next
        bool expectKey; // objects: a string now is a key
    };
    QHash<QString, qsizetype> positions;
    QList<Level> stack;
    auto childPath = [&](const Level &level, const QString &part) { return level.path.isEmpty() ? part : level.path + '.' + part; };
    // Before a value of an array starts, note the element's position.
    auto valueStarts = [&](qsizetype at) {
        if (!stack.isEmpty() && stack.last().array)
            positions.insert(childPath(stack.last(), QString::number(stack.last().index)), at);
    };
    auto containerPath = [&]() -> QString {
        if (stack.isEmpty())
            return QString();
        const Level &level = stack.last();
        return childPath(level, level.array ? QString::number(level.index) : level.key);
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            const qsizetype start = i;
            QByteArray raw;
            for (++i; i < text.size() && text[i] != '"'; ++i) {
                if (text[i] == '\\' && i + 1 < text.size())
                    raw += text[i++];
                raw += text[i];
            }
            if (!stack.isEmpty() && !stack.last().array && stack.last().expectKey) {
                // Keys are compared as written; spec keys need no escapes.
                stack.last().key = QString::fromUtf8(raw);
                stack.last().expectKey = false;
                positions.insert(childPath(stack.last(), stack.last().key), start);
            } else {
                valueStarts(start);
            }
        } else if (c == '{' || c == '[') {
            valueStarts(i);
            const QString path = containerPath();
            stack.append(Level{c == '[', path, 0, QString(), c == '{'});
        } else if (c == '}' || c == ']') {
            if (!stack.isEmpty())
                stack.removeLast();
        } else if (c == ',') {
            if (!stack.isEmpty()) {
                if (stack.last().array)
                    ++stack.last().index;
                else
                    stack.last().expectKey = true;
            }
        } else if (c != ':' && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            // A number, true, false or null: note an array element where it starts.
            const bool startsToken = i == 0 || QByteArray(",[: \n\r\t").contains(text[i - 1]);
            if (startsToken)
                valueStarts(i);
        }
    }
    return positions;
}

TextPosition positionAt(const QByteArray &text, qsizetype offset)
{
    TextPosition at;
    for (qsizetype i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++at.line;
            at.column = 1;
        } else {
            ++at.column;
        }
    }
    return at;
}

QString locateJsonPath(const QByteArray &text, const QString &displayName, const QString &path)
{
    const QHash<QString, qsizetype> positions = jsonPositions(text);
    QString probe = path;
    probe.replace('[', '.').remove(']');
    while (!probe.isEmpty() && !positions.contains(probe))
        probe = probe.contains('.') ? probe.section('.', 0, -2) : QString();
    const TextPosition at = positionAt(text, probe.isEmpty() ? 0 : positions.value(probe));
    return QStringLiteral("%1:%2:%3").arg(displayName).arg(at.line).arg(at.column);
}

QString jsonFieldError(const QByteArray &text, const QString &displayName, const QString &path, const QString &message)
{
    return QStringLiteral("%1: field '%2': %3").arg(locateJsonPath(text, displayName, path), path, message);
}

} // namespace ffint8
