// How the run store's figures and texts become bound values and come back (run_store*.cpp only).
#pragma once

#include <QDateTime>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <cmath>
#include <initializer_list>

namespace ffint8::store_values {

inline QString nowUtc() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

// An accuracy: NaN or negative (not measured) is NULL.
inline QVariant number(double v) { return std::isnan(v) || v < -0.5 ? QVariant() : QVariant(v); }
inline QVariant finite(double v) { return std::isnan(v) ? QVariant() : QVariant(v); }
// A null QString binds as SQL NULL; the store's text columns hold "" for "nothing" instead.
inline QVariant text(const QString &s) { return QVariant(s.isNull() ? QStringLiteral("") : s); }
inline double realOf(const QVariant &v) { return v.isNull() ? NAN : v.toDouble(); }

inline void bindAll(QSqlQuery &q, std::initializer_list<QVariant> values)
{
    for (const QVariant &v : values)
        q.addBindValue(v);
}

} // namespace ffint8::store_values
