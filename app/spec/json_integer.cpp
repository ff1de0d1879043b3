// Exact unsigned 64-bit integers in JSON.
#include "app/spec/json_integer.h"

#include <algorithm>
#include <cmath>

namespace ffint8 {

QJsonValue jsonOfUnsigned(quint64 value)
{
    return value <= kLargestExactJsonInteger ? QJsonValue(qint64(value)) : QJsonValue(QString::number(value));
}

std::optional<quint64> unsignedOfJson(const QJsonValue &value, QString *why)
{
    auto refuse = [why](const QString &message) -> std::optional<quint64> {
        if (why)
            *why = message;
        return std::nullopt;
    };
    if (value.isString()) {
        const QString text = value.toString();
        bool ok = false;
        const quint64 v = text.toULongLong(&ok);
        // toULongLong takes a leading sign and spaces; a seed written as a string is digits only.
        const bool digitsOnly = !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) { return c.isDigit(); });
        if (!ok || !digitsOnly)
            return refuse(QStringLiteral("expected an integer from 0 to 18446744073709551615, got '%1'").arg(text));
        return v;
    }
    if (!value.isDouble())
        return refuse(QStringLiteral("expected an integer (a number, or a string of digits above 2^53)"));
    // Qt keeps an integer that fits in 64 signed bits exactly; larger ones arrive as doubles, whose
    // low digits are already gone.
    const qint64 exact = value.toInteger(-1);
    if (exact >= 0 && double(exact) == value.toDouble())
        return quint64(exact);
    const double d = value.toDouble();
    if (std::isfinite(d) && d >= 0 && d == std::floor(d))
        return refuse(QStringLiteral("%1 is too large to be read exactly from a JSON number; write it as a string "
                                     "of digits, e.g. \"18446744073709551615\"").arg(d, 0, 'g', 17));
    return refuse(QStringLiteral("%1 is not a non-negative integer").arg(d, 0, 'g', 17));
}

} // namespace ffint8
