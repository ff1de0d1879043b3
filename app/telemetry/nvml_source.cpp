// NVML through the driver's library, resolved at run time.
#include "app/telemetry/nvml_source.h"

namespace ffint8 {

NvmlSource::NvmlSource(unsigned deviceIndex)
{
    m_library.setFileNameAndVersion("nvidia-ml", 1);
    if (!m_library.load()) {
        m_error = "libnvidia-ml.so.1 does not load (no NVIDIA driver; Jetsons up to JetPack 6 have no NVML): " +
                  m_library.errorString();
        return;
    }
    auto init = reinterpret_cast<Return (*)()>(m_library.resolve("nvmlInit_v2"));
    auto handle = reinterpret_cast<Return (*)(unsigned, Device *)>(m_library.resolve("nvmlDeviceGetHandleByIndex_v2"));
    m_shutdown = reinterpret_cast<Return (*)()>(m_library.resolve("nvmlShutdown"));
    m_power = reinterpret_cast<Return (*)(Device, unsigned *)>(m_library.resolve("nvmlDeviceGetPowerUsage"));
    m_energy = reinterpret_cast<Return (*)(Device, unsigned long long *)>(
        m_library.resolve("nvmlDeviceGetTotalEnergyConsumption"));
    m_errorString = reinterpret_cast<const char *(*)(Return)>(m_library.resolve("nvmlErrorString"));
    if (!init || !handle || !m_shutdown || !m_power) {
        m_error = m_library.fileName() + " lacks nvmlInit_v2, nvmlDeviceGetHandleByIndex_v2 or nvmlDeviceGetPowerUsage";
        return;
    }
    if (Return r = init(); r != 0) {
        m_error = describe("nvmlInit_v2", r);
        m_shutdown = nullptr;
        return;
    }
    Device device = nullptr;
    if (Return r = handle(deviceIndex, &device); r != 0) {
        m_error = describe("nvmlDeviceGetHandleByIndex_v2", r) + QStringLiteral(" for GPU %1").arg(deviceIndex);
        return;
    }
    m_device = device;
}

NvmlSource::~NvmlSource()
{
    if (m_shutdown)
        m_shutdown();
}

bool NvmlSource::available(QString *reason)
{
    NvmlSource probe;
    if (reason)
        *reason = probe.ok() ? "NVML on GPU 0 through " + probe.m_library.fileName() : probe.error();
    return probe.ok();
}

QString NvmlSource::describe(const char *call, Return code) const
{
    return QStringLiteral("%1 failed: %2").arg(call, m_errorString ? QString(m_errorString(code)) : QString::number(code));
}

std::optional<double> NvmlSource::readPowerWatts() const
{
    unsigned milliwatts = 0;
    if (!m_device || m_power(m_device, &milliwatts) != 0)
        return std::nullopt;
    return milliwatts / 1000.0;
}

std::optional<uint64_t> NvmlSource::readEnergyMillijoules() const
{
    unsigned long long millijoules = 0;
    if (!m_device || !m_energy || m_energy(m_device, &millijoules) != 0)
        return std::nullopt;
    return millijoules;
}

} // namespace ffint8
