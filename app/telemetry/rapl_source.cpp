// CPU package energy from the powercap RAPL counter (Intel and AMD desktops), read through sysfs.
#include "app/telemetry/rapl_source.h"

#include "app/telemetry/energy.h"
#include "app/telemetry/sysfs_value.h"

#include <QFile>
#include <QFileInfo>

namespace ffint8 {

namespace {

// Energy counters are below 2^63: the signed reader serves, and a negative value is no value.
std::optional<uint64_t> readUnsigned(const QString &path)
{
    const std::optional<qint64> v = readSysfsInteger(path);
    return v && *v >= 0 ? std::optional<uint64_t>(uint64_t(*v)) : std::nullopt;
}

QString domainDir(const QString &root)
{
    return root + QStringLiteral("/class/powercap/intel-rapl:0");
}

} // namespace

RaplSource::RaplSource(const QString &root)
    : m_energyFile(domainDir(root) + QStringLiteral("/energy_uj")),
      m_maxRange(readUnsigned(domainDir(root) + QStringLiteral("/max_energy_range_uj")))
{
}

bool RaplSource::available(const QString &root, QString *reason)
{
    const RaplSource source(root);
    auto fail = [&](const QString &why) {
        if (reason)
            *reason = why;
        return false;
    };
    if (!QFileInfo::exists(source.m_energyFile))
        return fail(QStringLiteral("%1 does not exist (no RAPL: not an Intel or AMD CPU, a virtual machine, or the "
                                   "intel_rapl driver is not loaded)")
                        .arg(source.m_energyFile));
    QFile f(source.m_energyFile);
    if (!f.open(QIODevice::ReadOnly))
        // Readable by everyone until Linux 5.10 made it root-only (the Platypus power side channel).
        return fail(QStringLiteral("%1 is not readable (%2): it is root-only since Linux 5.10; run as root or "
                                   "grant read access, e.g. with a udev rule")
                        .arg(source.m_energyFile, f.errorString()));
    if (!source.readEnergyMicrojoules())
        return fail(QStringLiteral("%1 does not hold a number").arg(source.m_energyFile));
    if (reason)
        reason->clear();
    return true;
}

std::optional<uint64_t> RaplSource::readEnergyMicrojoules() const
{
    return readUnsigned(m_energyFile);
}

std::optional<uint64_t> RaplSource::energyBetween(uint64_t beforeUj, uint64_t afterUj) const
{
    // Without the range a step back cannot be told from a reset, so it gives no energy rather than a
    // wrong one.
    const std::optional<quint64> d
        = counterDifference(beforeUj, afterUj, m_maxRange ? std::optional<quint64>(*m_maxRange) : std::nullopt);
    return d ? std::optional<uint64_t>(*d) : std::nullopt;
}

} // namespace ffint8
