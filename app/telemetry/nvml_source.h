// GPU power and energy through NVML on NVIDIA desktops and servers. The driver's libnvidia-ml.so.1 is
// loaded at run time, so the program starts (and says why there is no NVML) where there is no driver.
#pragma once

#include <QLibrary>
#include <QString>

#include <cstdint>
#include <optional>

namespace ffint8 {

class NvmlSource
{
public:
    // Loads the library and initialises NVML for GPU `deviceIndex`; check ok() (and error()) after.
    explicit NvmlSource(unsigned deviceIndex = 0);
    ~NvmlSource();
    NvmlSource(const NvmlSource &) = delete;
    NvmlSource &operator=(const NvmlSource &) = delete;

    static bool available(QString *reason = nullptr);

    bool ok() const { return m_device != nullptr; }
    QString error() const { return m_error; }
    // Power now in watts (a one-second average on Ampere and newer).
    std::optional<double> readPowerWatts() const;
    // Energy since the driver was loaded, in millijoules (Volta and newer); empty where unsupported.
    std::optional<uint64_t> readEnergyMillijoules() const;

private:
    using Return = int; // nvmlReturn_t; 0 is NVML_SUCCESS
    using Device = void *; // nvmlDevice_t
    QString describe(const char *call, Return code) const;

    QLibrary m_library;
    Device m_device = nullptr;
    QString m_error;
    Return (*m_shutdown)() = nullptr;
    Return (*m_power)(Device, unsigned *) = nullptr;
    Return (*m_energy)(Device, unsigned long long *) = nullptr;
    const char *(*m_errorString)(Return) = nullptr;
};

} // namespace ffint8
