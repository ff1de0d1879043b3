// The engine's one exception type: every failure names what was wrong and where.
#pragma once

#include <stdexcept>
#include <string>

namespace ffint8 {

class EngineError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

} // namespace ffint8
