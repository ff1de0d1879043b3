// Unpacks a tar archive (ustar, GNU or pax; gzip or plain) into a folder, refusing names that would leave it.
#pragma once

#include <cstdint>
#include <string>

namespace ffint8 {

struct TarSummary
{
    int files = 0; // regular files written
    int skipped = 0; // links, devices and other entries that are not files or folders, left out
    uint64_t bytes = 0; // bytes written
};

// Writes the archive's regular files and folders under `destination` (created if missing). Each
// file is written to NAME.part and renamed when complete, so a cut-off unpacking never leaves a
// short file under the real name. Throws EngineError naming the archive, the entry and its offset
// on a bad header checksum, a truncated archive, an absolute name or one with a ".." part, or a
// file that cannot be written.
TarSummary extractTar(const std::string &archive, const std::string &destination);

} // namespace ffint8
