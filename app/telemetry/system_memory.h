// The machine's RAM as the kernel counts it (/proc/meminfo); this process's own share is process_memory.h.
#pragma once

#include <QString>
#include <cstdint>
#include <optional>

namespace ffint8 {

struct SystemMemory
{
    std::optional<uint64_t> totalBytes; // MemTotal
    std::optional<uint64_t> availableBytes; // MemAvailable (absent before Linux 3.14)
};

// Reads <procRoot>/meminfo; fields it cannot find or parse stay empty, and all do where the file is not
// there. `procRoot` is a parameter so tests can pass a fake one.
SystemMemory readSystemMemory(const QString &procRoot = QStringLiteral("/proc"));

} // namespace ffint8
