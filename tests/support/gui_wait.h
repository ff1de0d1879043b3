// How long a GUI test waits for a state that the event loop is about to reach.
#pragma once

namespace ffint8::testing {

// Generous on purpose: a wait ends as soon as its state is there, and sanitized builds on a shared
// machine, with other tests running beside them, are many times slower than a release build alone.
constexpr int kSettleMs = 60000;

} // namespace ffint8::testing
