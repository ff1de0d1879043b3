// Coalesces a plot's redraws: any number of changes between two redraws cost one, at most
// kMaxPerSecond a second, so a run that reports faster than a screen shows never floods the GUI thread.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <functional>

namespace ffint8 {

class RedrawThrottle : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxPerSecond = 30;

    // `redraw` is called on this object's thread when a requested redraw is due.
    explicit RedrawThrottle(std::function<void()> redraw, QObject *parent = nullptr);

    // Something changed: a redraw follows, at once or when the shortest gap since the last has passed.
    void request();
    // Redraws now, whether or not a redraw was requested (before an export, or to time one).
    void now();

private:
    void fire();

    std::function<void()> m_redraw;
    QTimer m_timer;
    QElapsedTimer m_sinceRedraw; // invalid until the first redraw
    bool m_pending = false;
};

} // namespace ffint8
