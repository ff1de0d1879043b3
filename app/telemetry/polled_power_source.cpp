// Timer-driven power sources.
#include "app/telemetry/polled_power_source.h"

#include "app/telemetry/telemetry_sample.h"

namespace ffint8 {

PolledPowerSource::PolledPowerSource(Kind kind, const QString &sysfsRoot, PowerLog &log, QObject *parent)
    : QObject(parent), m_kind(kind), m_log(log)
{
    if (kind == Kind::Ina3221)
        m_ina = std::make_unique<Ina3221Source>(sysfsRoot);
    else
        m_rapl = std::make_unique<RaplSource>(sysfsRoot);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &PolledPowerSource::poll);
}

void PolledPowerSource::start(int intervalMs)
{
    poll(); // a first sample at once, so that a short first epoch has power at its start
    m_timer.start(intervalMs);
}

void PolledPowerSource::stop() { m_timer.stop(); }

void PolledPowerSource::poll()
{
    const double now = monotonicSeconds();
    if (m_ina) {
        TelemetrySample sample;
        if (m_ina->read(sample) && sample.boardMw)
            m_log.append(now, *sample.boardMw / 1000.0);
        return;
    }
    // RAPL gives energy, not power: the mean power since the last reading is logged at its midpoint.
    const std::optional<uint64_t> energy = m_rapl->readEnergyMicrojoules();
    if (!energy)
        return;
    if (m_lastEnergyUj && now > m_lastSeconds) {
        if (const std::optional<uint64_t> used = m_rapl->energyBetween(*m_lastEnergyUj, *energy))
            m_log.append(0.5 * (now + m_lastSeconds), double(*used) * 1e-6 / (now - m_lastSeconds));
    }
    m_lastEnergyUj = energy;
    m_lastSeconds = now;
}

} // namespace ffint8
