// Board power from the INA3221 monitors through sysfs (what tegrastats itself reads), on JetPack 4 and 5+.
#include "app/telemetry/ina3221_source.h"

#include "app/telemetry/sysfs_value.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <algorithm>

namespace ffint8 {

namespace {

std::optional<QString> readText(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    return QString::fromUtf8(f.read(256).trimmed());
}

// Subfolders matching `pattern`, in name order so channels come out in the same order on every run.
QStringList subfolders(const QString &dir, const QString &pattern)
{
    QStringList out;
    const QDir d(dir);
    for (const QString &name : d.entryList({pattern}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        out << d.filePath(name);
    return out;
}

// Channel numbers K of the files named <prefix>K<suffix> in `dir`, ascending (numerically, so 10 comes
// after 9).
std::vector<int> channelNumbers(const QString &dir, const QString &prefix, const QString &suffix)
{
    const QRegularExpression re(
        QStringLiteral("^%1(\\d+)%2$").arg(QRegularExpression::escape(prefix), QRegularExpression::escape(suffix)));
    std::vector<int> out;
    for (const QString &name : QDir(dir).entryList({prefix + "*" + suffix}, QDir::Files)) {
        const QRegularExpressionMatch m = re.match(name);
        if (m.hasMatch())
            out.push_back(m.captured(1).toInt());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// `NC` marks an unconnected input (AGX Orin); the hwmon driver's summing channel ("sum of shunt
// voltages") adds up rails already listed, so it would count them twice.
bool isRail(const QString &label)
{
    return !label.isEmpty() && !label.contains(u"NC") && !label.startsWith(u"sum", Qt::CaseInsensitive);
}

} // namespace

Ina3221Source::Ina3221Source(const QString &root) : m_root(root)
{
    const QString drivers = root + QStringLiteral("/bus/i2c/drivers");
    for (const QString &device : subfolders(drivers + QStringLiteral("/ina3221"), QStringLiteral("*")))
        for (const QString &hwmon : subfolders(device + QStringLiteral("/hwmon"), QStringLiteral("hwmon*")))
            discoverHwmon(hwmon);
    for (const QString &device : subfolders(drivers + QStringLiteral("/ina3221x"), QStringLiteral("*")))
        for (const QString &iio : subfolders(device, QStringLiteral("iio:device*")))
            discoverIio(iio);
}

void Ina3221Source::discoverHwmon(const QString &dir)
{
    for (int k : channelNumbers(dir, QStringLiteral("in"), QStringLiteral("_label"))) {
        const std::optional<QString> label = readText(QStringLiteral("%1/in%2_label").arg(dir).arg(k));
        if (!label || !isRail(*label))
            continue;
        Channel c;
        c.name = *label;
        c.voltageFile = QStringLiteral("%1/in%2_input").arg(dir).arg(k);
        c.currentFile = QStringLiteral("%1/curr%2_input").arg(dir).arg(k);
        m_channels.push_back(std::move(c));
    }
}

void Ina3221Source::discoverIio(const QString &dir)
{
    for (int k : channelNumbers(dir, QStringLiteral("rail_name_"), QString())) {
        const std::optional<QString> label = readText(QStringLiteral("%1/rail_name_%2").arg(dir).arg(k));
        if (!label || !isRail(*label))
            continue;
        Channel c;
        c.name = *label;
        c.powerFile = QStringLiteral("%1/in_power%2_input").arg(dir).arg(k);
        m_channels.push_back(std::move(c));
    }
}

bool Ina3221Source::available(const QString &root, QString *reason)
{
    const Ina3221Source source(root);
    const QString drivers = root + QStringLiteral("/bus/i2c/drivers");
    if (source.channelCount() == 0) {
        if (reason)
            *reason = QStringLiteral("no INA3221 rail found under %1/ina3221/*/hwmon/hwmon*/in*_label (JetPack 5+) "
                                     "or %1/ina3221x/*/iio:device*/rail_name_* (JetPack 4)")
                          .arg(drivers);
        return false;
    }
    TelemetrySample sample;
    if (!source.read(sample)) {
        if (reason) {
            const Channel &c = source.m_channels.front();
            *reason = QStringLiteral("INA3221 rails found but none readable (first: %1 in %2)")
                          .arg(c.name, c.powerFile.isEmpty() ? c.voltageFile : c.powerFile);
        }
        return false;
    }
    if (reason)
        reason->clear();
    return true;
}

bool Ina3221Source::read(TelemetrySample &out) const
{
    out.rails.clear();
    out.boardMw.reset();
    out.boardAverageMw.reset();
    out.boardPowerFrom = BoardPowerFrom::Absent;

    for (const Channel &c : m_channels) {
        double mw = 0;
        if (!c.powerFile.isEmpty()) {
            const std::optional<qint64> p = readSysfsInteger(c.powerFile);
            if (!p)
                continue;
            mw = double(*p);
        } else {
            const std::optional<qint64> mv = readSysfsInteger(c.voltageFile);
            const std::optional<qint64> ma = mv ? readSysfsInteger(c.currentFile) : std::nullopt;
            if (!ma)
                continue;
            // The product is exact in integers, so the one rounding is the division. A product past
            // 64 bits is no reading a monitor can give: that rail is left out, as if unparsable.
            qint64 microwatts = 0;
            if (__builtin_mul_overflow(*mv, *ma, &microwatts))
                continue;
            mw = double(microwatts) / 1000.0;
        }
        out.rails.push_back(PowerRail{c.name, mw, std::nullopt});
    }
    if (out.rails.empty())
        return false;

    out.deriveBoardPower(); // INA3221 keeps no running averages, so there is no average to carry
    return true;
}

} // namespace ffint8
