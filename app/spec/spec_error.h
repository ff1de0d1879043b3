// An error in an experiment spec or on the command line, already phrased for the user.
#pragma once

#include <QString>

#include <stdexcept>

namespace ffint8 {

class SpecError : public std::runtime_error
{
public:
    explicit SpecError(const QString &message) : std::runtime_error(message.toStdString()) {}
};

} // namespace ffint8
