// Power sources read on a timer rather than streamed: the INA3221 monitors (board power), NVML (GPU
// power, from its energy counter where it has one) and the RAPL counter (CPU package power, from
// counter differences). Lives on the telemetry thread.
#pragma once

#include "app/telemetry/ina3221_source.h"
#include "app/telemetry/nvml_source.h"
#include "app/telemetry/power_log.h"
#include "app/telemetry/rapl_source.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace ffint8 {

class PolledPowerSource : public QObject
{
    Q_OBJECT

public:
    enum class Kind { Ina3221, Nvml, Rapl };
    PolledPowerSource(Kind kind, const QString &sysfsRoot, PowerLog &log, QObject *parent = nullptr);

    void start(int intervalMs);
    void stop();

private:
    void poll();

    Kind m_kind;
    PowerLog &m_log;
    QTimer m_timer{this}; // a child, so that moveToThread() takes it along
    std::unique_ptr<Ina3221Source> m_ina;
    std::unique_ptr<RaplSource> m_rapl;
    std::unique_ptr<NvmlSource> m_nvml;
    std::optional<uint64_t> m_lastEnergyUj; // RAPL in microjoules, NVML in millijoules
    double m_lastSeconds = 0.0;
};

} // namespace ffint8
