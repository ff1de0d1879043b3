// CPU package energy from the powercap RAPL counter (Intel and AMD desktops), read through sysfs.
#pragma once

#include <QString>
#include <cstdint>
#include <optional>

namespace ffint8 {

// Reads <root>/class/powercap/intel-rapl:0/energy_uj, a counter that wraps at max_energy_range_uj. The
// range is read once, at construction, since it is fixed for a package.
class RaplSource
{
public:
    explicit RaplSource(const QString &root = QStringLiteral("/sys"));

    // True where the counter can be read now; else false, and `reason` (if given) names the file and why
    // (absent, or root-only, as it is since Linux 5.10).
    static bool available(const QString &root, QString *reason = nullptr);

    // Empty where the counter cannot be read or parsed.
    std::optional<uint64_t> readEnergyMicrojoules() const;

    // Empty where max_energy_range_uj could not be read at construction.
    std::optional<uint64_t> maxEnergyRangeMicrojoules() const { return m_maxRange; }

    // Energy between two readings of this counter, across at most one wrap (counterDifference); empty
    // where the readings cannot be from one run of it.
    std::optional<uint64_t> energyBetween(uint64_t beforeUj, uint64_t afterUj) const;

    QString energyFile() const { return m_energyFile; }

private:
    QString m_energyFile;
    std::optional<uint64_t> m_maxRange;
};

} // namespace ffint8
