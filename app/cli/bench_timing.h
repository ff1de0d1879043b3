// Timing for `ffint8 bench`: a call repeated until a time budget has passed, after a warm-up.
#pragma once

#include <QElapsedTimer>

namespace ffint8 {

// Seconds per call, repeated until at least `budget` seconds have passed.
template <class Call> double timePerCall(Call &&call, double budget = 0.3)
{
    call(); // warm-up: first-touch pages, library kernel selection
    QElapsedTimer t;
    t.start();
    int calls = 0;
    do {
        call();
        ++calls;
    } while (t.nsecsElapsed() < qint64(budget * 1e9));
    return t.nsecsElapsed() / 1e9 / calls;
}

} // namespace ffint8
