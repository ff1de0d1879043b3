// Coalesced redraws.
#include "ui/plot/redraw_throttle.h"

#include <algorithm>

namespace ffint8 {

namespace {

// The shortest gap between two redraws; rounded up so that timer jitter cannot exceed the rate.
constexpr int kMinRedrawGapMs = 1000 / RedrawThrottle::kMaxPerSecond + 1;

} // namespace

RedrawThrottle::RedrawThrottle(std::function<void()> redraw, QObject *parent)
    : QObject(parent), m_redraw(std::move(redraw))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RedrawThrottle::fire);
}

void RedrawThrottle::request()
{
    m_pending = true;
    if (m_timer.isActive())
        return; // a redraw is already due: this change joins it
    const qint64 since = m_sinceRedraw.isValid() ? m_sinceRedraw.elapsed() : kMinRedrawGapMs;
    m_timer.start(int(std::max<qint64>(0, kMinRedrawGapMs - since)));
}

void RedrawThrottle::now()
{
    m_timer.stop();
    m_pending = true;
    fire();
}

void RedrawThrottle::fire()
{
    if (!m_pending)
        return;
    m_pending = false;
    m_redraw();
    m_sinceRedraw.start();
}

} // namespace ffint8
