// A failure of the run store, phrased for the user: which database, what went wrong.
#pragma once

#include <QString>

#include <stdexcept>

namespace ffint8 {

class StoreError : public std::runtime_error
{
public:
    // What a writer can do about it: Busy passes (another process holds the write lock), so does
    // Unreachable (the database server is down or the network is cut; the store reconnects), Full
    // does not (no space, or the file may not grow), Other is anything else.
    enum class Kind { Other, Busy, Full, Unreachable };

    explicit StoreError(const QString &message, Kind kind = Kind::Other) : std::runtime_error(message.toStdString()), m_kind(kind) {}
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

} // namespace ffint8
