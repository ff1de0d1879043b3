// What the fuzz harnesses share: a scratch file of this process for readers that take a path, and
// the rule for what a harness lets pass. A reader may refuse any input with its own error (a
// std::runtime_error: EngineError, SpecError, StoreError); anything else it throws, a crash, a
// hang or a leak is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace ffint8::fuzz {

// A file of this process under $TMPDIR (or /tmp), named with `suffix`, holding the input.
inline std::string scratchFile(const uint8_t *data, size_t size, const std::string &suffix)
{
    const char *tmp = std::getenv("TMPDIR");
    const std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/ffint8-fuzz-" + std::to_string(getpid()) + suffix;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(data), std::streamsize(size));
    return path;
}

// Runs `body`, letting the readers' own refusals pass.
template <typename Body> int refusalsPass(Body &&body)
{
    try {
        body();
    } catch (const std::runtime_error &) {
        // A refusal with a message: what bad input should get.
    }
    return 0;
}

} // namespace ffint8::fuzz
