// A failure of the run store, phrased for the user: which database, what went wrong.
#pragma once

#include <QString>

#include <stdexcept>

namespace ffint8 {

class StoreError : public std::runtime_error
{
public:
    explicit StoreError(const QString &message) : std::runtime_error(message.toStdString()) {}
};

} // namespace ffint8
