// Reads one line of `tegrastats` output, from any Jetson board and JetPack (docs/telemetry.md), into a sample.
#pragma once

#include "app/telemetry/telemetry_sample.h"

#include <QByteArrayView>

namespace ffint8 {

// Fills `out` (cleared first) with every field the line holds and returns true, or returns false where
// the line holds no field it recognises (empty, an error message, garbage). Unknown fields (engine
// clocks such as `NVENC 79%@166`) and unreadable tokens are skipped, so a line with garbage inserted
// still yields the rest, and a line cut short yields what precedes the cut: a field whose token was cut
// is dropped where the cut shows (a missing `]`, `MB`, `C` or second `mW`). Never throws.
//
// Rails are only names of the form VDD_*, VIN_*, POM_* (and VDDQ_*, AGX Orin's DRAM rail). Board power is VDD_IN or
// POM_5V_IN where the line has one, else the sum of the rails (AGX Orin, Thor).
bool parseTegrastatsLine(QByteArrayView line, TelemetrySample &out);

} // namespace ffint8
