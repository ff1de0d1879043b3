// The message of the exception a call throws, for tests that check what an error names.
#pragma once

#include <QString>
#include <exception>
#include <functional>

namespace ffint8::testing {

// "(no exception)" when `f` returns normally.
inline QString messageOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return QStringLiteral("(no exception)");
}

} // namespace ffint8::testing
