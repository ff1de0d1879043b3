// Timer-driven power sources.
#include "app/telemetry/polled_power_source.h"

#include "app/telemetry/energy.h"
#include "app/telemetry/telemetry_sample.h"

namespace ffint8 {

PolledPowerSource::PolledPowerSource(Kind kind, const QString &sysfsRoot, PowerLog &log, QObject *parent)
    : QObject(parent), m_kind(kind), m_log(log)
{
    if (kind == Kind::Ina3221)
        m_ina = std::make_unique<Ina3221Source>(sysfsRoot);
    else if (kind == Kind::Nvml)
        m_nvml = std::make_unique<NvmlSource>();
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
    // Energy counters (telemetry.md: use them where a source has one): the mean power since the last
    // reading is logged at the middle of that interval, so the log integrates back to the counter.
    std::optional<uint64_t> energy;
    double joulesPerUnit = 1e-6;
    if (m_nvml) {
        energy = m_nvml->readEnergyMillijoules();
        joulesPerUnit = 1e-3;
        if (!energy) { // before Volta: power readings only
            if (const std::optional<double> watts = m_nvml->readPowerWatts())
                m_log.append(now, *watts);
            return;
        }
    } else {
        energy = m_rapl->readEnergyMicrojoules();
    }
    if (!energy)
        return;
    if (m_lastEnergyUj && now > m_lastSeconds) {
        std::optional<uint64_t> used;
        if (m_nvml) {
            if (const auto difference = counterDifference(*m_lastEnergyUj, *energy))
                used = uint64_t(*difference);
        } else {
            used = m_rapl->energyBetween(*m_lastEnergyUj, *energy);
        }
        if (used)
            m_log.append(0.5 * (now + m_lastSeconds), double(*used) * joulesPerUnit / (now - m_lastSeconds));
    }
    m_lastEnergyUj = energy;
    m_lastSeconds = now;
}

} // namespace ffint8
