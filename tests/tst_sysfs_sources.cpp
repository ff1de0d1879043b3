// The sysfs and procfs telemetry sources (INA3221 on JetPack 4 and 5+, RAPL, /proc/meminfo) read from
// fake trees this test writes, with every value checked against the numbers it wrote.
#include "app/telemetry/energy.h"
#include "app/telemetry/ina3221_source.h"
#include "app/telemetry/rapl_source.h"
#include "app/telemetry/system_memory.h"

#include <QtTest>

using namespace ffint8;

// QCOMPARE compares doubles fuzzily; these values are exact products and quotients, so compare bits.
#define QCOMPARE_EXACT(actual, expected)                                                                               \
    QVERIFY2(double(actual) == double(expected),                                                                       \
             qPrintable(QStringLiteral("%1 != %2").arg(double(actual), 0, 'g', 17).arg(double(expected), 0, 'g', 17)))

namespace {

// Writes `text` to root/relative, creating the folders on the way; sysfs values end with a newline.
void put(const QString &root, const QString &relative, const QByteArray &text)
{
    const QString path = root + "/" + relative;
    QVERIFY2(QDir().mkpath(QFileInfo(path).path()), qPrintable(path));
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(f.write(text + "\n"), text.size() + 1);
}

// A folder in place of a value file: opening it fails even for root, who can read a mode-000 file.
void putUnreadable(const QString &root, const QString &relative)
{
    QVERIFY2(QDir().mkpath(root + "/" + relative), qPrintable(relative));
}

QStringList railNames(const TelemetrySample &s)
{
    QStringList names;
    for (const PowerRail &r : s.rails)
        names << r.name;
    return names;
}

} // namespace

class TestSysfsSources : public QObject
{
    Q_OBJECT

private slots:
    void hwmonLayout();
    void hwmonRailSumAndDiscoveryOnce();
    void iioLayout();
    void ina3221Unavailable();
    void raplCounter();
    void raplUnavailable();
    void meminfo();
};

// JetPack 5+: two monitors under different hwmon numbers, an NC channel, the summing channel, a rail whose
// current file is missing, one whose current is a folder, one holding garbage, and channels 9 and 10.
void TestSysfsSources::hwmonLayout()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString root = tmp.path();
    const QString a = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/";
    const QString b = "bus/i2c/drivers/ina3221/1-0041/hwmon/hwmon5/";
    put(root, "bus/i2c/drivers/ina3221/uevent", "DRIVER=ina3221"); // driver files beside the devices
    put(root, a + "name", "ina3221");
    put(root, a + "in1_label", "VDD_IN");
    put(root, a + "in1_input", "5072");
    put(root, a + "curr1_input", "1234");
    put(root, a + "in2_label", "VDD_CPU_GPU_CV");
    put(root, a + "in2_input", "5080");
    put(root, a + "curr2_input", "401");
    put(root, a + "in3_label", "VDD_SOC");
    put(root, a + "in3_input", "5076");
    put(root, a + "curr3_input", "0"); // a measured zero is a rail at 0 mW
    put(root, a + "in4_input", "12"); // shunt voltages have no label and are not rails
    put(root, a + "in7_label", "sum of shunt voltages");
    put(root, a + "in7_input", "40");
    put(root, a + "curr7_input", "1635");
    put(root, b + "in1_label", "NC");
    put(root, b + "in1_input", "0");
    put(root, b + "curr1_input", "0");
    put(root, b + "in2_label", "VDD_DDR"); // curr2_input missing
    put(root, b + "in2_input", "1800");
    put(root, b + "in3_label", "VDDQ_VDD2_1V8AO");
    put(root, b + "in3_input", "1799");
    putUnreadable(root, b + "curr3_input");
    put(root, b + "in10_label", "VIN_SYS_5V0"); // after in9 in number order, not "in1..."-string order
    put(root, b + "in10_input", "4990");
    put(root, b + "curr10_input", "-3"); // a reverse current reads negative
    put(root, b + "in9_label", "VDD_GPU");
    put(root, b + "in9_input", "5000");
    put(root, b + "curr9_input", "12");
    put(root, b + "in11_label", "VDD_CV");
    put(root, b + "in11_input", "5000");
    put(root, b + "curr11_input", "12x");

    Ina3221Source source(root);
    QCOMPARE(source.channelCount(), 8); // all labelled channels but NC and the sum
    QString reason = "stale";
    QVERIFY(Ina3221Source::available(root, &reason));
    QVERIFY(reason.isEmpty());

    TelemetrySample s;
    s.ramTotalMb = 7620; // another source's field, left alone
    s.rails.push_back(PowerRail{"OLD", 1, 2.0});
    QVERIFY(source.read(s));
    QCOMPARE(railNames(s), QStringList({"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC", "VDD_GPU", "VIN_SYS_5V0"}));
    QCOMPARE_EXACT(s.rails[0].currentMw, 6258.848); // 5072 mV * 1234 mA
    QCOMPARE_EXACT(s.rails[1].currentMw, 2037.08); // 5080 * 401
    QCOMPARE_EXACT(s.rails[2].currentMw, 0.0);
    QCOMPARE_EXACT(s.rails[3].currentMw, 60.0); // 5000 * 12
    QCOMPARE_EXACT(s.rails[4].currentMw, -14.97); // 4990 * -3
    for (const PowerRail &r : s.rails)
        QVERIFY(!r.averageMw);
    QCOMPARE(s.boardPowerFrom, BoardPowerFrom::InputRail);
    QCOMPARE(s.boardMw, std::optional<double>(6258.848));
    QVERIFY(!s.boardAverageMw);
    QCOMPARE(s.ramTotalMb, std::optional<int>(7620));
}

// Without VDD_IN the board is the sum of the rails read; files are found once, so a value that changes is
// read again but a channel that appears later is not.
void TestSysfsSources::hwmonRailSumAndDiscoveryOnce()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString root = tmp.path();
    const QString d = "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon1/";
    put(root, d + "in1_label", "VDD_GPU_SOC");
    put(root, d + "in1_input", "5000");
    put(root, d + "curr1_input", "800");
    put(root, d + "in2_label", "VDD_CPU_CV");
    put(root, d + "in2_input", "4000");
    put(root, d + "curr2_input", "250");

    Ina3221Source source(root);
    TelemetrySample s;
    QVERIFY(source.read(s));
    QCOMPARE(railNames(s), QStringList({"VDD_GPU_SOC", "VDD_CPU_CV"}));
    QCOMPARE_EXACT(s.rails[0].currentMw, 4000.0);
    QCOMPARE_EXACT(s.rails[1].currentMw, 1000.0);
    QCOMPARE(s.boardPowerFrom, BoardPowerFrom::RailSum);
    QCOMPARE(s.boardMw, std::optional<double>(5000.0));

    put(root, d + "curr2_input", "500");
    put(root, d + "in3_label", "VDD_IN");
    put(root, d + "in3_input", "5000");
    put(root, d + "curr3_input", "2000");
    QVERIFY(source.read(s));
    QCOMPARE(railNames(s), QStringList({"VDD_GPU_SOC", "VDD_CPU_CV"}));
    QCOMPARE_EXACT(s.rails[1].currentMw, 2000.0);
    QCOMPARE(s.boardMw, std::optional<double>(6000.0));

    // Every value gone: no rail, no board power, and the fields from the last sample are gone too.
    QVERIFY(QFile::remove(root + "/" + d + "in1_input"));
    QVERIFY(QFile::remove(root + "/" + d + "in2_input"));
    QVERIFY(!source.read(s));
    QVERIFY(s.rails.empty());
    QVERIFY(!s.boardMw);
    QCOMPARE(s.boardPowerFrom, BoardPowerFrom::Absent);
    QVERIFY(QFile::remove(root + "/" + d + "in3_input")); // a fresh source finds the later VDD_IN too
    QString reason;
    QVERIFY(!Ina3221Source::available(root, &reason));
    QVERIFY2(reason.contains("none readable") && reason.contains(root + "/" + d + "in"), qPrintable(reason));
}

// JetPack 4 (Nano): rail names and power in mW under iio:device*, an NC channel, a missing power file.
void TestSysfsSources::iioLayout()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString root = tmp.path();
    const QString d = "bus/i2c/drivers/ina3221x/6-0040/iio:device0/";
    put(root, d + "rail_name_0", "POM_5V_IN");
    put(root, d + "in_power0_input", "3240");
    put(root, d + "in_current0_input", "648");
    put(root, d + "rail_name_1", "POM_5V_GPU");
    put(root, d + "in_power1_input", "456");
    put(root, d + "rail_name_2", "POM_5V_CPU"); // in_power2_input missing
    put(root, d + "rail_name_3", "NC");
    put(root, d + "in_power3_input", "0");
    put(root, "bus/i2c/drivers/ina3221x/6-0041/iio:device1/rail_name_0", "VDD_SYS_DDR");
    put(root, "bus/i2c/drivers/ina3221x/6-0041/iio:device1/in_power0_input", "1181");

    Ina3221Source source(root);
    QCOMPARE(source.channelCount(), 4);
    TelemetrySample s;
    QVERIFY(source.read(s));
    QCOMPARE(railNames(s), QStringList({"POM_5V_IN", "POM_5V_GPU", "VDD_SYS_DDR"}));
    QCOMPARE_EXACT(s.rails[0].currentMw, 3240.0);
    QCOMPARE_EXACT(s.rails[1].currentMw, 456.0);
    QCOMPARE_EXACT(s.rails[2].currentMw, 1181.0);
    QCOMPARE(s.boardPowerFrom, BoardPowerFrom::InputRail);
    QCOMPARE(s.boardMw, std::optional<double>(3240.0));
}

void TestSysfsSources::ina3221Unavailable()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QString reason;
    QVERIFY(!Ina3221Source::available(tmp.path(), &reason));
    QVERIFY2(reason.contains(tmp.path() + "/bus/i2c/drivers/ina3221/"), qPrintable(reason));
    QVERIFY(!Ina3221Source::available(tmp.path() + "/nowhere", nullptr));
    Ina3221Source source(tmp.path());
    QCOMPARE(source.channelCount(), 0);
    TelemetrySample s;
    QVERIFY(!source.read(s));
}

// Two readings with the counter wrapping at max_energy_range_uj in between.
void TestSysfsSources::raplCounter()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString root = tmp.path();
    const QString d = "class/powercap/intel-rapl:0/";
    const quint64 range = 262143328850; // a real package's range
    put(root, d + "max_energy_range_uj", QByteArray::number(range));
    put(root, d + "energy_uj", QByteArray::number(range - 1000));

    QString reason = "stale";
    QVERIFY(RaplSource::available(root, &reason));
    QVERIFY(reason.isEmpty());
    RaplSource source(root);
    QCOMPARE(source.maxEnergyRangeMicrojoules(), std::optional<uint64_t>(range));
    const std::optional<uint64_t> before = source.readEnergyMicrojoules();
    QCOMPARE(before, std::optional<uint64_t>(range - 1000));

    put(root, d + "energy_uj", "2500");
    const std::optional<uint64_t> after = source.readEnergyMicrojoules();
    QCOMPARE(after, std::optional<uint64_t>(2500));
    // 1000 uJ up to the top, 1 uJ over to 0 (the counter runs 0..range), then 2500.
    QCOMPARE(source.energyBetween(*before, *after), std::optional<uint64_t>(3501));
    QCOMPARE(source.energyBetween(2500, 9000), std::optional<uint64_t>(6500));
    QCOMPARE(source.energyBetween(range + 1, 5), std::optional<uint64_t>()); // not from this counter

    // Without the range a step back is not energy.
    QVERIFY(QFile::remove(root + "/" + d + "max_energy_range_uj"));
    RaplSource noRange(root);
    QVERIFY(!noRange.maxEnergyRangeMicrojoules());
    QCOMPARE(noRange.energyBetween(*before, *after), std::optional<uint64_t>());
    QCOMPARE(noRange.energyBetween(2500, 9000), std::optional<uint64_t>(6500));

    put(root, d + "energy_uj", "garbage");
    QVERIFY(!source.readEnergyMicrojoules());
    QVERIFY(!RaplSource::available(root, &reason));
    QVERIFY2(reason.contains(root + "/" + d + "energy_uj"), qPrintable(reason));
}

void TestSysfsSources::raplUnavailable()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QString reason;
    QVERIFY(!RaplSource::available(tmp.path(), &reason));
    QVERIFY2(reason.contains(tmp.path() + "/class/powercap/intel-rapl:0/energy_uj")
                 && reason.contains("does not exist"),
             qPrintable(reason));
    QVERIFY(!RaplSource(tmp.path()).readEnergyMicrojoules());

    putUnreadable(tmp.path(), "class/powercap/intel-rapl:0/energy_uj");
    QVERIFY(!RaplSource::available(tmp.path(), &reason));
    QVERIFY2(reason.contains("not readable") && reason.contains("Linux 5.10"), qPrintable(reason));
}

void TestSysfsSources::meminfo()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    put(tmp.path(), "meminfo",
        "MemTotal:        7802784 kB\n"
        "MemFree:          512044 kB\n"
        "MemAvailable:    3415612 kB\n"
        "Buffers:           81220 kB\n"
        "HugePages_Total:       0");
    SystemMemory m = readSystemMemory(tmp.path());
    QCOMPARE(m.totalBytes, std::optional<uint64_t>(7802784ull * 1024));
    QCOMPARE(m.availableBytes, std::optional<uint64_t>(3415612ull * 1024));

    // A kernel before 3.14 has no MemAvailable; a field that is not a number is left out.
    put(tmp.path(), "meminfo", "MemTotal: 4096 kB\nMemFree: 1024 kB\nMemAvailable: lots kB");
    m = readSystemMemory(tmp.path());
    QCOMPARE(m.totalBytes, std::optional<uint64_t>(4096ull * 1024));
    QVERIFY(!m.availableBytes);

    m = readSystemMemory(tmp.path() + "/nowhere");
    QVERIFY(!m.totalBytes);
    QVERIFY(!m.availableBytes);

    // The real one, where there is one: total is set and no smaller than what is available.
    if (QFileInfo::exists("/proc/meminfo")) {
        m = readSystemMemory();
        QVERIFY(m.totalBytes && *m.totalBytes > 0);
        if (m.availableBytes)
            QVERIFY(*m.availableBytes <= *m.totalBytes);
    }
}

QTEST_APPLESS_MAIN(TestSysfsSources)
#include "tst_sysfs_sources.moc"
