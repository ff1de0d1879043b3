// Unsigned 64-bit integers (seeds) in JSON without loss.
// Many JSON readers (JavaScript, jq) hold a number as a double, exact only up to 2^53, and Qt's keeps
// none above 2^63 - 1 exactly, so larger values are written as strings of decimal digits.
#pragma once

#include <QJsonValue>
#include <QString>

#include <optional>

namespace ffint8 {

// Every JSON reader reads integers up to this exactly.
constexpr quint64 kLargestExactJsonInteger = quint64(1) << 53;

// A number up to 2^53, else a string of decimal digits.
QJsonValue jsonOfUnsigned(quint64 value);

// A non-negative integral number that the reader held exactly, or a string of decimal digits up to
// 2^64 - 1; otherwise nothing, and `why` says what was wrong with the value.
std::optional<quint64> unsignedOfJson(const QJsonValue &value, QString *why = nullptr);

} // namespace ffint8
