// Board power from the INA3221 monitors through sysfs (what tegrastats itself reads), on JetPack 4 and 5+.
#pragma once

#include "app/telemetry/telemetry_sample.h"

#include <QString>
#include <vector>

namespace ffint8 {

// Finds the channels once, at construction, because globbing sysfs costs far more than reading a few
// small files; a sample then opens only the value files. Layouts (docs/telemetry.md):
//   JetPack 5+: <root>/bus/i2c/drivers/ina3221/*/hwmon/hwmon*/in<K>_label, in<K>_input (mV),
//               curr<K>_input (mA)
//   JetPack 4:  <root>/bus/i2c/drivers/ina3221x/*/iio:device*/rail_name_<K>, in_power<K>_input (mW)
// Placeholder channels (labels containing `NC`) and the "sum of shunt voltages" channel are not rails.
class Ina3221Source
{
public:
    explicit Ina3221Source(const QString &root = QStringLiteral("/sys"));

    // True where at least one rail can be read now; else false, and `reason` (if given) says what is
    // missing or unreadable, naming the folder or file.
    static bool available(const QString &root, QString *reason = nullptr);

    // Replaces the rails and board power of `out` (its other fields are left alone, so other sources can
    // fill them) with the values readable now. A value that cannot be read or parsed leaves its rail out
    // of this sample only. Board power is VDD_IN or POM_5V_IN where read, else the sum of the rails read.
    // Returns false where no rail could be read.
    bool read(TelemetrySample &out) const;

    int channelCount() const { return int(m_channels.size()); }

private:
    struct Channel
    {
        QString name;
        QString powerFile; // mW (JetPack 4); empty on JetPack 5+
        QString voltageFile; // mV (JetPack 5+)
        QString currentFile; // mA (JetPack 5+)
    };

    void discoverHwmon(const QString &driverDir);
    void discoverIio(const QString &driverDir);

    QString m_root;
    std::vector<Channel> m_channels;
};

} // namespace ffint8
