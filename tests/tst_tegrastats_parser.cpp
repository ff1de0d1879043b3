// tegrastats lines from every board and JetPack read field by field, energy by the trapezoid rule, and
// `ffint8 telemetry` on real logs.
#include "app/telemetry/energy.h"
#include "app/telemetry/tegrastats_parser.h"
#include "support/cli_process.h"

#include <QtTest>

#include <limits>

using namespace ffint8;
using ffint8::testing::CliResult;
using ffint8::testing::runCli;

namespace {

const QString kFixtures = QStringLiteral(FFINT8_SOURCE_DIR "/tests/fixtures/tegrastats");

QString num(double v)
{
    return QString::number(v, 'g', 17);
}

template <class T> QString opt(const std::optional<T> &v)
{
    return v ? num(double(*v)) : QStringLiteral("absent");
}

// Every field of a sample as one "key=value" line each, rails and sensors keyed by name, so two samples
// compare field by field and a sample can be checked to hold nothing its full line does not.
QStringList describe(const TelemetrySample &s)
{
    QStringList d;
    d << "time=" + (s.timestampMs ? QString::number(*s.timestampMs) : QStringLiteral("absent"));
    d << "board=" + opt(s.boardMw) << "board_avg=" + opt(s.boardAverageMw)
      << "board_from=" + QString::number(int(s.boardPowerFrom));
    QStringList railOrder, tempOrder, cores;
    for (const PowerRail &r : s.rails) {
        d << QStringLiteral("rail %1=%2/%3").arg(r.name, num(r.currentMw), opt(r.averageMw));
        railOrder << r.name;
    }
    d << "rail_order=" + railOrder.join(',');
    d << "ram=" + opt(s.ramUsedMb) + "/" + opt(s.ramTotalMb);
    d << "swap=" + opt(s.swapUsedMb) + "/" + opt(s.swapTotalMb);
    for (const CpuCore &c : s.cpus)
        cores << (c.online ? opt(c.loadPercent) + "%@" + opt(c.mhz) : (c.loadPercent || c.mhz ? "off+value" : "off"));
    d << "cpus=" + cores.join(' ');
    d << "emc=" + opt(s.emcLoadPercent) + "%@" + opt(s.emcMhz);
    d << "gpu=" + opt(s.gpuLoadPercent) + "%@" + opt(s.gpuMhz);
    for (const Temperature &t : s.temperatures) {
        d << QStringLiteral("temp %1=%2").arg(t.name, num(t.celsius));
        tempOrder << t.name;
    }
    d << "temp_order=" + tempOrder.join(',');
    return d;
}

// Lines of `part` that are neither absent nor in `whole`; board power is left out where the part lost
// its input rail and fell back to a sum, and list orders where entries are missing.
QStringList notIn(const QStringList &part, const QStringList &whole)
{
    QStringList extra;
    for (const QString &line : part) {
        if (line.startsWith("board") || line.startsWith("rail_order") || line.startsWith("temp_order"))
            continue;
        if (line.endsWith("=absent") || line == "cpus=" || line.endsWith("=absent%@absent")
            || line.endsWith("=absent/absent"))
            continue;
        if (!whole.contains(line))
            extra << line;
    }
    return extra;
}

QByteArray fixtureLine(const QString &file)
{
    QFile f(kFixtures + "/" + file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().trimmed();
}

qint64 utcMs(int y, int mo, int d, int h, int mi, int s)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s), Qt::UTC).toMSecsSinceEpoch();
}

CpuCore core(double load, std::optional<int> mhz)
{
    return CpuCore{true, load, mhz};
}

CpuCore offCore()
{
    return CpuCore{false, std::nullopt, std::nullopt};
}

std::vector<CpuCore> cores(std::initializer_list<double> loads, int mhz)
{
    std::vector<CpuCore> c;
    for (double l : loads)
        c.push_back(core(l, mhz));
    return c;
}

// Synthesised from the formats in docs/telemetry.md for boards the fixtures do not cover.
const char *kAgxOrin = "06-18-2025 11:25:24 RAM 4722/30536MB (lfb 5284x4MB) SWAP 0/15268MB (cached 0MB) "
                       "CPU [2%@729,1%@729,0%@729,0%@729,off,off,off,off,0%@729,0%@729,0%@729,0%@729] "
                       "EMC_FREQ 0%@2133 GR3D_FREQ 0%@[305,305] VIC_FREQ 729 APE 174 CV0@-256C CPU@45.875C "
                       "Tboard@33C SOC2@42.156C Tdiode@35.5C SOC0@42.687C CV1@-256C GPU@40.468C tj@45.875C "
                       "SOC1@41.187C CV2@-256C VDD_GPU_SOC 2400mW/2389mW VDD_CPU_CV 400mW/412mW "
                       "VIN_SYS_5V0 2524mW/2520mW NC 0mW/0mW VDDQ_VDD2_1V8AO 302mW/301mW NC 0mW/0mW";
const char *kThor
    = "08-25-2025 10:00:00 RAM 9210/125772MB (lfb 4x4MB) SWAP 0/62886MB (cached 0MB) "
      "CPU [3%@972,1%@972,0%@972,2%@972,off,off,5%@2601,4%@2601,0%@972,0%@972,1%@972,0%@972,0%@972,0%@972] "
      "EMC_FREQ 1%@4266 GR3D_FREQ 12%@[1575,1575,1575] NVENC off NVDEC off cpu@41.5C soc012@39.8C "
      "tj@42.1C gpu@38.9C VDD_GPU 5120mW/4980mW VDD_CPU_SOC_MSS 9830mW/9700mW";
const char *kTx2
    = "RAM 2093/7854MB (lfb 1083x4MB) SWAP 0/3927MB (cached 0MB) CPU [3%@345,off,off,2%@345,1%@345,1%@345] "
      "EMC_FREQ 0%@1866 GR3D_FREQ 0%@114 APE 150 PLL@38.5C MCPU@38.5C PMIC@100C Tboard@33C GPU@36.5C "
      "BCPU@38.5C thermal@37.5C Tdiode@35.75C VDD_SYS_GPU 152/152 VDD_SYS_SOC 382/390 VDD_4V0_WIFI 0/0 "
      "VDD_IN 1987/2003 VDD_SYS_CPU 152/160 VDD_SYS_DDR 134/134";
const char *kOldCpu
    = "RAM 1520/3983MB (lfb 384x4MB) SWAP 0/0MB (cached 0MB) CPU [12%,5%,off,off]@1734 EMC_FREQ 4%@1600 "
      "GR3D_FREQ 0%@76 AO@33C CPU@35C GPU@34C PLL@33.5C Tdiode@36.25C";

} // namespace

class TestTegrastatsParser : public QObject
{
    Q_OBJECT

    // The trapezoid rule written out here, independently of energy.cpp.
    static double trapezoid(const QList<QPair<double, double>> &secondsWatts)
    {
        double joules = 0;
        for (qsizetype i = 1; i < secondsWatts.size(); ++i)
            joules += (secondsWatts[i].first - secondsWatts[i - 1].first)
                * (secondsWatts[i].second + secondsWatts[i - 1].second) / 2;
        return joules;
    }

    QTemporaryDir m_dir;

    QString writeLog(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
            return {};
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // --- real lines: every field exactly, values from the fixtures' README and the lines themselves

    // One table row per line reads better than one field per line.
    // clang-format off
    void fixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("orin-nano-jp6-idle") << "orin-nano-jp6-idle.log" << describe(TelemetrySample{
            .timestampMs = utcMs(2025, 6, 18, 11, 25, 24),
            .boardMw = 4824, .boardAverageMw = 4824, .boardPowerFrom = BoardPowerFrom::InputRail,
            .rails = {{"VDD_IN", 4824, 4824}, {"VDD_CPU_GPU_CV", 518, 518}, {"VDD_SOC", 1475, 1475}},
            .ramUsedMb = 3452, .ramTotalMb = 7620, .swapUsedMb = 1518, .swapTotalMb = 16384,
            .cpus = {core(1, 1420), core(2, 1420), core(0, 1420), core(2, 1420), core(2, 729), core(1, 729)},
            .gpuLoadPercent = 0,
            .temperatures = {{"cpu", 50.031}, {"soc2", 49.031}, {"soc0", 50}, {"gpu", 49.031}, {"tj", 50.25}, {"soc1", 50.25}}});

        QTest::newRow("orin-nano-load") << "orin-nano-load.log" << describe(TelemetrySample{
            .timestampMs = utcMs(2024, 11, 15, 8, 38, 9),
            .boardMw = 12479, .boardAverageMw = 12479, .boardPowerFrom = BoardPowerFrom::InputRail,
            .rails = {{"VDD_IN", 12479, 12479}, {"VDD_CPU_GPU_CV", 4667, 4667}, {"VDD_SOC", 2817, 2817}},
            .ramUsedMb = 6185, .ramTotalMb = 7620, .swapUsedMb = 851, .swapTotalMb = 3810,
            .cpus = cores({15, 11, 14, 13, 11, 8}, 729),
            .emcLoadPercent = 43, .emcMhz = 2133, .gpuLoadPercent = 63, .gpuMhz = 621,
            .temperatures = {{"cpu", 53.968}, {"soc2", 52.437}, {"soc0", 50.75}, {"gpu", 53.343}, {"tj", 53.968}, {"soc1", 51.656}}});

        QTest::newRow("xavier-nx-jp5") << "xavier-nx-jp5.log" << describe(TelemetrySample{
            .timestampMs = utcMs(2024, 7, 9, 13, 31, 31),
            .boardMw = 2763, .boardAverageMw = 2846, .boardPowerFrom = BoardPowerFrom::InputRail,
            .rails = {{"VDD_IN", 2763, 2846}, {"VDD_CPU_GPU_CV", 650, 670}, {"VDD_SOC", 650, 711}},
            .ramUsedMb = 3168, .ramTotalMb = 6851, .swapUsedMb = 161, .swapTotalMb = 3426,
            .cpus = {core(23, 1397), core(17, 1192), core(16, 1190), core(13, 1190), core(23, 1190), core(10, 1190)},
            .emcLoadPercent = 2, .emcMhz = 204, .gpuLoadPercent = 0, .gpuMhz = 114,
            .temperatures = {{"AUX", 45}, {"CPU", 46.5}, {"thermal", 45.6}, {"AO", 45}, {"GPU", 45.5}, {"PMIC", 50}}});

        QTest::newRow("xavier-nx-jp4") << "xavier-nx-jp4.log" << describe(TelemetrySample{
            .boardMw = 6140, .boardAverageMw = 5510, .boardPowerFrom = BoardPowerFrom::InputRail,
            .rails = {{"VDD_IN", 6140, 5510}, {"VDD_CPU_GPU_CV", 2706, 2119}, {"VDD_SOC", 1074, 1051}},
            .ramUsedMb = 5246, .ramTotalMb = 7771, .swapUsedMb = 983, .swapTotalMb = 20269,
            .cpus = cores({47, 23, 32, 22, 31, 96}, 1420),
            .emcLoadPercent = 2, .emcMhz = 1600, .gpuLoadPercent = 0, .gpuMhz = 1109,
            .temperatures = {{"AO", 29}, {"GPU", 31.5}, {"PMIC", 100}, {"AUX", 30}, {"CPU", 33.5}, {"thermal", 31.35}}});

        QTest::newRow("nano-jp4") << "nano-jp4.log" << describe(TelemetrySample{
            .boardMw = 1750, .boardAverageMw = 1628, .boardPowerFrom = BoardPowerFrom::InputRail,
            .rails = {{"POM_5V_IN", 1750, 1628}, {"POM_5V_GPU", 0, 0}, {"POM_5V_CPU", 366, 406}},
            .ramUsedMb = 1923, .ramTotalMb = 3964, .swapUsedMb = 191, .swapTotalMb = 1982,
            .cpus = cores({5, 4, 3, 6}, 1224),
            .emcLoadPercent = 0, .emcMhz = 1600, .gpuLoadPercent = 0, .gpuMhz = 76,
            .temperatures = {{"PLL", 37}, {"CPU", 40}, {"PMIC", 50}, {"GPU", 40}, {"AO", 45}, {"thermal", 40}}});
    }
    // clang-format on

    void fixtures()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, expected);
        const QByteArray line = fixtureLine(file);
        QVERIFY2(!line.isEmpty(), qPrintable(file));
        TelemetrySample s;
        QVERIFY(parseTegrastatsLine(line, s));
        QCOMPARE(describe(s), expected);
    }

    void fixturesDirHoldsEveryLog()
    {
        const QStringList logs = QDir(kFixtures).entryList({"*.log"}, QDir::Files);
        QCOMPARE(logs.size(), 5); // a new fixture wants a row in fixtures_data
    }

    void readmeValues()
    {
        // The README's figures, checked on their own so a wrong row above cannot hide them.
        TelemetrySample s;
        QVERIFY(parseTegrastatsLine(fixtureLine("orin-nano-jp6-idle.log"), s));
        QCOMPARE(s.cpus.size(), size_t(6));
        QCOMPARE(*s.boardMw, 4824.0);
        QCOMPARE(s.rail(u"VDD_CPU_GPU_CV")->currentMw, 518.0);
        QCOMPARE(s.rail(u"VDD_SOC")->currentMw, 1475.0);
        QVERIFY(parseTegrastatsLine(fixtureLine("xavier-nx-jp5.log"), s));
        QCOMPARE(*s.boardMw, 2763.0);
        QCOMPARE(*s.boardAverageMw, 2846.0);
        QVERIFY(parseTegrastatsLine(fixtureLine("xavier-nx-jp4.log"), s));
        QVERIFY(!s.timestampMs);
        QCOMPARE(*s.boardMw, 6140.0);
        QVERIFY(parseTegrastatsLine(fixtureLine("nano-jp4.log"), s));
        QCOMPARE(*s.boardMw, 1750.0);
        QCOMPARE(s.rail(u"POM_5V_GPU")->currentMw, 0.0);
        QVERIFY(!s.rail(u"RAM")); // `RAM 1923/3964MB` is not a rail
        QCOMPARE(*s.temperature(u"thermal"), 40.0);
    }

    // --- boards and JetPacks the fixtures do not cover

    // clang-format off
    void synthesisedBoards_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("agx-orin: no VDD_IN, NC placeholders, offline sensors") << QByteArray(kAgxOrin) << describe(TelemetrySample{
            .timestampMs = utcMs(2025, 6, 18, 11, 25, 24),
            .boardMw = 2400 + 400 + 2524 + 302, .boardAverageMw = 2389 + 412 + 2520 + 301, .boardPowerFrom = BoardPowerFrom::RailSum,
            .rails = {{"VDD_GPU_SOC", 2400, 2389}, {"VDD_CPU_CV", 400, 412}, {"VIN_SYS_5V0", 2524, 2520}, {"VDDQ_VDD2_1V8AO", 302, 301}},
            .ramUsedMb = 4722, .ramTotalMb = 30536, .swapUsedMb = 0, .swapTotalMb = 15268,
            .cpus = {core(2, 729), core(1, 729), core(0, 729), core(0, 729), offCore(), offCore(), offCore(), offCore(),
                     core(0, 729), core(0, 729), core(0, 729), core(0, 729)},
            .emcLoadPercent = 0, .emcMhz = 2133, .gpuLoadPercent = 0, .gpuMhz = 305,
            .temperatures = {{"CPU", 45.875}, {"Tboard", 33}, {"SOC2", 42.156}, {"Tdiode", 35.5}, {"SOC0", 42.687},
                             {"GPU", 40.468}, {"tj", 45.875}, {"SOC1", 41.187}}});

        QTest::newRow("thor: VDD_GPU + VDD_CPU_SOC_MSS, three GPC clocks") << QByteArray(kThor) << describe(TelemetrySample{
            .timestampMs = utcMs(2025, 8, 25, 10, 0, 0),
            .boardMw = 5120 + 9830, .boardAverageMw = 4980 + 9700, .boardPowerFrom = BoardPowerFrom::RailSum,
            .rails = {{"VDD_GPU", 5120, 4980}, {"VDD_CPU_SOC_MSS", 9830, 9700}},
            .ramUsedMb = 9210, .ramTotalMb = 125772, .swapUsedMb = 0, .swapTotalMb = 62886,
            .cpus = {core(3, 972), core(1, 972), core(0, 972), core(2, 972), offCore(), offCore(), core(5, 2601),
                     core(4, 2601), core(0, 972), core(0, 972), core(1, 972), core(0, 972), core(0, 972), core(0, 972)},
            .emcLoadPercent = 1, .emcMhz = 4266, .gpuLoadPercent = 12, .gpuMhz = 1575,
            .temperatures = {{"cpu", 41.5}, {"soc012", 39.8}, {"tj", 42.1}, {"gpu", 38.9}}});

        QTest::newRow("tx2: VDD_IN among other rails, no mW") << QByteArray(kTx2) << describe(TelemetrySample{
            .boardMw = 1987, .boardAverageMw = 2003, .boardPowerFrom = BoardPowerFrom::InputRail,
            .rails = {{"VDD_SYS_GPU", 152, 152}, {"VDD_SYS_SOC", 382, 390}, {"VDD_4V0_WIFI", 0, 0},
                      {"VDD_IN", 1987, 2003}, {"VDD_SYS_CPU", 152, 160}, {"VDD_SYS_DDR", 134, 134}},
            .ramUsedMb = 2093, .ramTotalMb = 7854, .swapUsedMb = 0, .swapTotalMb = 3927,
            .cpus = {core(3, 345), offCore(), offCore(), core(2, 345), core(1, 345), core(1, 345)},
            .emcLoadPercent = 0, .emcMhz = 1866, .gpuLoadPercent = 0, .gpuMhz = 114,
            .temperatures = {{"PLL", 38.5}, {"MCPU", 38.5}, {"PMIC", 100}, {"Tboard", 33}, {"GPU", 36.5},
                             {"BCPU", 38.5}, {"thermal", 37.5}, {"Tdiode", 35.75}}});

        QTest::newRow("old CPU [a%,b%]@MHz, no rails") << QByteArray(kOldCpu) << describe(TelemetrySample{
            .ramUsedMb = 1520, .ramTotalMb = 3983, .swapUsedMb = 0, .swapTotalMb = 0,
            .cpus = {core(12, 1734), core(5, 1734), offCore(), offCore()},
            .emcLoadPercent = 4, .emcMhz = 1600, .gpuLoadPercent = 0, .gpuMhz = 76,
            .temperatures = {{"AO", 33}, {"CPU", 35}, {"GPU", 34}, {"PLL", 33.5}, {"Tdiode", 36.25}}});

        QTest::newRow("lower-case sensors with a limit suffix")
            << QByteArray("cpu@45.5C/95C gpu@44.25C(105C) tj@46C,max=105C cv0@-256C/95C soc@40C")
            << describe(TelemetrySample{.temperatures = {{"cpu", 45.5}, {"gpu", 44.25}, {"tj", 46}, {"soc", 40}}});

        QTest::newRow("only an offline sensor: recognised, nothing kept") << QByteArray("CV0@-256C") << describe(TelemetrySample{});

        QTest::newRow("CRLF and tabs") << QByteArray("RAM 10/20MB\tVDD_IN 5mW/6mW\r\n") << describe(TelemetrySample{
            .boardMw = 5, .boardAverageMw = 6, .boardPowerFrom = BoardPowerFrom::InputRail,
            .rails = {{"VDD_IN", 5, 6}}, .ramUsedMb = 10, .ramTotalMb = 20});

        QTest::newRow("a repeated rail keeps its first reading") << QByteArray("VDD_IN 100mW/100mW VDD_IN 999mW/999mW") << describe(TelemetrySample{
            .boardMw = 100, .boardAverageMw = 100, .boardPowerFrom = BoardPowerFrom::InputRail, .rails = {{"VDD_IN", 100, 100}}});
    }
    // clang-format on

    void synthesisedBoards()
    {
        QFETCH(QByteArray, line);
        QFETCH(QStringList, expected);
        TelemetrySample s;
        QVERIFY(parseTegrastatsLine(line, s));
        QCOMPARE(describe(s), expected);
    }

    void loadAndClockForms_data()
    {
        QTest::addColumn<QByteArray>("field");
        QTest::addColumn<QString>("expected"); // load%@mhz as describe() writes it

        QTest::newRow("GR3D x%") << QByteArray("GR3D_FREQ 7%") << "gpu=7%@absent";
        QTest::newRow("GR3D x%@f") << QByteArray("GR3D_FREQ 99%@1300") << "gpu=99%@1300";
        QTest::newRow("GR3D x%@[f,f]") << QByteArray("GR3D_FREQ 0%@[1300,1300]") << "gpu=0%@1300";
        QTest::newRow("GR3D x%@[f,g] first GPC") << QByteArray("GR3D_FREQ 5%@[918,612]") << "gpu=5%@918";
        QTest::newRow("GR3D @[f]") << QByteArray("GR3D_FREQ @[918]") << "gpu=absent%@918";
        QTest::newRow("GR3D @f") << QByteArray("GR3D_FREQ @918") << "gpu=absent%@918";
        QTest::newRow("EMC x%") << QByteArray("EMC_FREQ 0%") << "emc=0%@absent";
        QTest::newRow("EMC @f") << QByteArray("EMC_FREQ @3199") << "emc=absent%@3199";
        QTest::newRow("EMC x%@f") << QByteArray("EMC_FREQ 12%@3199") << "emc=12%@3199";
    }

    void loadAndClockForms()
    {
        QFETCH(QByteArray, field);
        QFETCH(QString, expected);
        TelemetrySample s;
        QVERIFY(parseTegrastatsLine(field, s));
        QVERIFY2(describe(s).contains(expected), qPrintable(describe(s).join(" | ")));
    }

    // --- what is not a tegrastats line, or only part of one

    void refused_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("blanks") << QByteArray(" \t \r\n");
        QTest::newRow("prose") << QByteArray("tegrastats: permission denied, run as root");
        QTest::newRow("binary") << QByteArray("\x01\x02\xff\xfe@@ // [] %%% /// mW");
        QTest::newRow("timestamp only") << QByteArray("06-18-2025 11:25:24");
        QTest::newRow("names without values") << QByteArray("RAM SWAP CPU EMC_FREQ GR3D_FREQ VDD_IN");
        QTest::newRow("bad values") << QByteArray(
            "RAM 12/34 CPU [1%@x] GR3D_FREQ 120% VDD_IN 12mW/34 NC 0mW/0mW x@C @5C 5@4C");
        QTest::newRow("rail-like names that are not rails")
            << QByteArray("GPU 463/463 CPU 618/618 SOC 2936/2936 VDD_ 1/1");
    }

    void refused()
    {
        QFETCH(QByteArray, line);
        TelemetrySample s;
        s.boardMw = 1; // stale values must not survive a refused line
        QVERIFY(!parseTegrastatsLine(line, s));
        QCOMPARE(describe(s), describe(TelemetrySample{}));
    }

    void cutLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        for (const QString &f : QDir(kFixtures).entryList({"*.log"}, QDir::Files))
            QTest::newRow(qPrintable(f)) << fixtureLine(f);
        QTest::newRow("agx-orin") << QByteArray(kAgxOrin);
        QTest::newRow("thor") << QByteArray(kThor);
        QTest::newRow("tx2") << QByteArray(kTx2);
        QTest::newRow("old cpu") << QByteArray(kOldCpu);
    }

    // Every prefix parses without harm. Cut between tokens, it holds nothing the whole line does not;
    // cut inside a token, the fields whose format shows the cut (RAM, CPU list, sensors, mW rails) still
    // do, while a bare number (`0%@11` from `0%@1109`, `6140/55`) cannot be told from a whole one.
    void cutLines()
    {
        QFETCH(QByteArray, line);
        TelemetrySample full, part;
        QVERIFY(parseTegrastatsLine(line, full));
        const QStringList whole = describe(full);
        const bool milliwatts = line.contains("mW/");
        const bool sharedCpuClock = line.contains("]@"); // the old form's `@1734` can be cut to `@17`
        for (qsizetype n = 0; n <= line.size(); ++n) {
            const QByteArray prefix = line.left(n);
            if (!parseTegrastatsLine(prefix, part))
                continue;
            const bool betweenTokens = n == line.size() || line[n] == ' ';
            QStringList extra = notIn(describe(part), whole);
            if (!betweenTokens)
                extra.removeIf([&](const QString &l) {
                    return l.startsWith("emc=") || l.startsWith("gpu=") || (!milliwatts && l.startsWith("rail "))
                        || (sharedCpuClock && l.startsWith("cpus="));
                });
            QVERIFY2(extra.isEmpty(), qPrintable(QStringLiteral("cut at %1: %2").arg(n).arg(extra.join(" | "))));
        }
    }

    void cutInHalf()
    {
        // orin-nano-load cut inside the GPU clock list: what precedes stands, the cut clock is dropped.
        const QByteArray line = fixtureLine("orin-nano-load.log");
        const qsizetype cut = line.indexOf("@[621]") + 3;
        TelemetrySample s;
        QVERIFY(parseTegrastatsLine(line.left(cut), s));
        QCOMPARE(*s.timestampMs, utcMs(2024, 11, 15, 8, 38, 9));
        QCOMPARE(*s.ramUsedMb, 6185);
        QCOMPARE(s.cpus.size(), size_t(6));
        QCOMPARE(*s.emcMhz, 2133);
        QCOMPARE(*s.gpuLoadPercent, 63.0);
        QVERIFY(!s.gpuMhz);
        QVERIFY(s.rails.empty());
        QVERIFY(!s.boardMw);
        QVERIFY(s.temperatures.empty());

        // Cut inside VDD_IN's average on an mW line: the rail is dropped, not read as 124 mW.
        const qsizetype inRail = line.indexOf("VDD_IN 12479mW/") + 18;
        QVERIFY(parseTegrastatsLine(line.left(inRail), s));
        QVERIFY(!s.rail(u"VDD_IN"));
        QVERIFY(!s.boardMw);
        QCOMPARE(s.temperatures.size(), size_t(6));

        // Cut inside the CPU list: no cores at all rather than a shifted list.
        QVERIFY(parseTegrastatsLine(line.left(line.indexOf("13%@729")), s));
        QVERIFY(s.cpus.empty());
        QCOMPARE(*s.swapTotalMb, 3810);
    }

    void garbageInserted_data()
    {
        QTest::addColumn<QByteArray>("garbage");
        QTest::newRow("symbols") << QByteArray("#%@!&*");
        QTest::newRow("binary") << QByteArray("\x01\x7f\xff\xfe");
        QTest::newRow("half a field") << QByteArray("RAM");
        QTest::newRow("brackets") << QByteArray("[[]]@");
        QTest::newRow("a lone number") << QByteArray("1234"); // `1234/5678` would pass for a JetPack 4 rail value
    }

    // Garbage at any token boundary loses at most the field it splits from its value.
    void garbageInserted()
    {
        QFETCH(QByteArray, garbage);
        for (const QString &f : QDir(kFixtures).entryList({"*.log"}, QDir::Files)) {
            const QByteArray line = fixtureLine(f);
            TelemetrySample full, s;
            QVERIFY(parseTegrastatsLine(line, full));
            const QStringList whole = describe(full);
            for (qsizetype at = line.indexOf(' '); at >= 0; at = line.indexOf(' ', at + 1)) {
                QByteArray spoilt = line;
                spoilt.insert(at, " " + garbage);
                QVERIFY(parseTegrastatsLine(spoilt, s));
                const QStringList extra = notIn(describe(s), whole);
                QVERIFY2(extra.isEmpty(),
                         qPrintable(QStringLiteral("%1 at %2: %3").arg(f).arg(at).arg(extra.join(" | "))));
            }
            // Between whole fields (before the first sensor) nothing at all is lost.
            QByteArray spoilt = line;
            spoilt.insert(line.indexOf(" GR3D_FREQ"), " " + garbage);
            QVERIFY(parseTegrastatsLine(spoilt, s));
            QCOMPARE(describe(s), whole);
        }
    }

    // --- energy

    void trapezoidByHand()
    {
        // 2 W rising to 4 W over 1 s (3 J), 4 W held 2 s (8 J), down to 0 W over 1 s (2 J): 13 J in 4 s.
        const EnergySummary e = integrateEnergy({{10, 2}, {11, 4}, {13, 4}, {14, 0}});
        QCOMPARE(e.joules, 13.0);
        QCOMPARE(e.spanSeconds, 4.0);
        QCOMPARE(e.meanWatts, 13.0 / 4.0);
        QCOMPARE(e.samples, 4);
    }

    void trapezoidEdges()
    {
        EnergySummary e = integrateEnergy({});
        QCOMPARE(e.joules, 0.0);
        QCOMPARE(e.samples, 0);
        e = integrateEnergy({{5, 7.5}});
        QCOMPARE(e.joules, 0.0);
        QCOMPARE(e.meanWatts, 7.5);
        QCOMPARE(e.spanSeconds, 0.0);
        // A clock set back is not integrated: only the two forward steps count.
        e = integrateEnergy({{0, 1}, {1, 1}, {0.5, 100}, {1.5, 1}});
        QCOMPARE(e.spanSeconds, 2.0);
        QCOMPARE(e.joules, 1.0 + (100 + 1) / 2.0);
    }

    void counterDifferences()
    {
        QCOMPARE(counterDifference(100, 250, 1000), std::optional<quint64>(150));
        QCOMPARE(counterDifference(900, 100, 999), std::optional<quint64>(200)); // 900..999, 0..100
        QCOMPARE(counterDifference(5, 5, 999), std::optional<quint64>(0));
        QVERIFY(!counterDifference(900, 100)); // no wrap: a reset, not a difference
        QVERIFY(!counterDifference(1200, 100, 999)); // not a reading of this counter
        QVERIFY(!counterDifference(100, 1200, 999));
        const quint64 top = std::numeric_limits<quint64>::max();
        QCOMPARE(counterDifference(top - 1, 3, top), std::optional<quint64>(5));
        QCOMPARE(counterDifference(7, 7000), std::optional<quint64>(6993));
    }

    // --- the command line

    void cliParsesAFixture()
    {
        const QString path = kFixtures + "/orin-nano-load.log";
        const CliResult r = runCli({"telemetry", "parse", path, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.events.size(), 2);
        TelemetrySample s;
        QVERIFY(parseTegrastatsLine(fixtureLine("orin-nano-load.log"), s));
        const QJsonObject sample = r.events[0];
        QCOMPARE(sample["event"].toString(), QString("sample"));
        QCOMPARE(sample["board_mw"].toDouble(), *s.boardMw);
        QCOMPARE(sample["ram_used_mb"].toInt(), *s.ramUsedMb);
        QCOMPARE(sample["ram_total_mb"].toInt(), *s.ramTotalMb);
        QCOMPARE(sample["gpu_load"].toDouble(), *s.gpuLoadPercent);
        QCOMPARE(sample["gpu_mhz"].toInt(), *s.gpuMhz);
        QCOMPARE(sample["timestamp_ms"].toInteger(), *s.timestampMs);
        const QJsonObject rails = sample["rails"].toObject();
        QCOMPARE(rails.size(), qsizetype(s.rails.size()));
        for (const PowerRail &rail : s.rails)
            QCOMPARE(rails[rail.name].toDouble(), rail.currentMw);
        const QJsonObject temps = sample["temps"].toObject();
        QCOMPARE(temps.size(), qsizetype(s.temperatures.size()));
        for (const Temperature &t : s.temperatures)
            QCOMPARE(temps[t.name].toDouble(), t.celsius);
        const QJsonObject summary = r.events[1];
        QCOMPARE(summary["event"].toString(), QString("summary"));
        QCOMPARE(summary["samples"].toInt(), 1);
        QCOMPARE(summary["skipped_lines"].toInt(), 0);
        QCOMPARE(summary["energy_j"].toDouble(), 0.0);
        QCOMPARE(summary["span_s"].toDouble(), 0.0);
        QCOMPARE(summary["mean_board_w"].toDouble(), *s.boardMw / 1000);
    }

    void cliEnergyFromTimestamps()
    {
        // Real lines restamped one, one and two seconds apart.
        auto restamp = [](const QString &file, const QByteArray &stamp) { return stamp + fixtureLine(file).mid(19); };
        const QList<QByteArray> lines{restamp("orin-nano-jp6-idle.log", "06-18-2025 11:25:24"),
                                      restamp("orin-nano-load.log", "06-18-2025 11:25:25"),
                                      restamp("xavier-nx-jp5.log", "06-18-2025 11:25:26"),
                                      restamp("orin-nano-jp6-idle.log", "06-18-2025 11:25:28")};
        const QString path = writeLog("stamped.log", lines.join('\n') + '\n');
        QVERIFY(!path.isEmpty());
        QList<QPair<double, double>> points;
        TelemetrySample s;
        for (const QByteArray &l : lines) {
            QVERIFY(parseTegrastatsLine(l, s));
            points.append({(*s.timestampMs - utcMs(2025, 6, 18, 11, 25, 24)) / 1000.0, *s.boardMw / 1000});
        }
        const double expected = trapezoid(points);
        QVERIFY(expected > 20); // 4.8 W to 12.5 W for 4 s

        const CliResult r = runCli({"telemetry", "parse", path, "--json", "--interval", "250"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.events.size(), lines.size() + 1);
        for (qsizetype i = 0; i < lines.size(); ++i)
            QCOMPARE(r.events[i]["board_mw"].toDouble(), points[i].second * 1000);
        const QJsonObject summary = r.events.last();
        QCOMPARE(summary["samples"].toInt(), 4);
        QCOMPARE(summary["time_from"].toString(), QString("timestamps"));
        QCOMPARE(summary["span_s"].toDouble(), 4.0); // the timestamps win over --interval
        QCOMPARE(summary["energy_j"].toDouble(), expected);
        QCOMPARE(summary["mean_board_w"].toDouble(), expected / 4.0);
    }

    void cliEnergyFromInterval()
    {
        // JetPack 4 lines carry no time: --interval spaces them. A junk line and a blank one between.
        const QByteArray jp4 = fixtureLine("xavier-nx-jp4.log"), nano = fixtureLine("nano-jp4.log");
        const QString path = writeLog("jp4.log", jp4 + "\nnot a tegrastats line\n\n" + nano + "\n" + jp4 + "\n");
        QVERIFY(!path.isEmpty());
        TelemetrySample a, b;
        QVERIFY(parseTegrastatsLine(jp4, a));
        QVERIFY(parseTegrastatsLine(nano, b));
        const double expected = trapezoid({{0, *a.boardMw / 1000}, {0.5, *b.boardMw / 1000}, {1.0, *a.boardMw / 1000}});

        const CliResult r = runCli({"telemetry", "parse", path, "--json", "--interval", "500"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.events.size(), 4);
        QVERIFY(r.events[0]["timestamp_ms"].isNull());
        QVERIFY(r.events[0]["rails"].isObject());
        QCOMPARE(r.events[1]["line"].toInt(), 4);
        QCOMPARE(r.events[1]["board_mw"].toDouble(), *b.boardMw);
        const QJsonObject summary = r.events.last();
        QCOMPARE(summary["samples"].toInt(), 3);
        QCOMPARE(summary["skipped_lines"].toInt(), 1);
        QCOMPARE(summary["time_from"].toString(), QString("interval"));
        QCOMPARE(summary["span_s"].toDouble(), 1.0);
        QCOMPARE(summary["energy_j"].toDouble(), expected);
        QVERIFY2(r.err.contains(path + ":2:"), qPrintable(r.err)); // the skipped line, by file and line

        // Without --json: one readable line per sample and the summary.
        const CliResult text = runCli({"telemetry", "parse", path, "--interval", "500"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("board 1750 mW"), qPrintable(text.out));
        QVERIFY2(text.out.contains(QStringLiteral("energy %1 J").arg(expected, 0, 'f', 3)), qPrintable(text.out));
    }

    void cliTimeAxis_data()
    {
        QTest::addColumn<QStringList>("stamps");
        QTest::addColumn<QList<double>>("seconds");
        QTest::addColumn<int>("jumps");
        // A clock set back (a Jetson without RTC battery before NTP) counts as one usual step.
        QTest::newRow("clock set back") << QStringList{"06-18-2025 11:25:24", "06-18-2025 11:25:25",
                                                       "01-01-1970 00:00:05", "01-01-1970 00:00:06"}
                                        << QList<double>{0, 1, 2, 3} << 1;
        // ...and so does one set forward by years.
        QTest::newRow("clock set forward")
            << QStringList{"01-01-1970 00:00:05", "01-01-1970 00:00:06", "06-18-2025 11:25:24", "06-18-2025 11:25:25"}
            << QList<double>{0, 1, 2, 3} << 1;
        // A pause shorter than ten usual steps is real time.
        QTest::newRow("pause") << QStringList{"06-18-2025 11:25:24", "06-18-2025 11:25:25", "06-18-2025 11:25:26",
                                              "06-18-2025 11:25:31"}
                               << QList<double>{0, 1, 2, 7} << 0;
        // tegrastats --interval 500: two lines per printed second, spread over it.
        QTest::newRow("two per second") << QStringList{"06-18-2025 11:25:24", "06-18-2025 11:25:24",
                                                       "06-18-2025 11:25:25", "06-18-2025 11:25:25"}
                                        << QList<double>{0, 0.5, 1, 1.5} << 0;
    }

    void cliTimeAxis()
    {
        QFETCH(QStringList, stamps);
        QFETCH(QList<double>, seconds);
        QFETCH(int, jumps);
        const QByteArray body = fixtureLine("orin-nano-load.log").mid(19),
                         idle = fixtureLine("orin-nano-jp6-idle.log").mid(19);
        QByteArray log;
        QList<QPair<double, double>> points;
        TelemetrySample s;
        for (qsizetype i = 0; i < stamps.size(); ++i) {
            const QByteArray line = stamps[i].toLatin1() + (i % 2 ? idle : body);
            QVERIFY(parseTegrastatsLine(line, s));
            points.append({seconds[i], *s.boardMw / 1000});
            log += line + '\n';
        }
        const QString path
            = writeLog(QStringLiteral("axis-%1.log").arg(QTest::currentDataTag()).replace(' ', '-'), log);
        const CliResult r = runCli({"telemetry", "parse", path, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject summary = r.events.last();
        QCOMPARE(summary["time_jumps"].toInt(), jumps);
        QCOMPARE(summary["span_s"].toDouble(), seconds.last());
        QCOMPARE(summary["energy_j"].toDouble(), trapezoid(points));
    }

    void cliErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing file") << QStringList{"telemetry", "parse", "/nonexistent/tegra.log"} << 1
                                      << "/nonexistent/tegra.log";
        QTest::newRow("no subcommand") << QStringList{"telemetry"} << 2 << "valid: parse, probe";
        QTest::newRow("unknown subcommand") << QStringList{"telemetry", "pares"} << 2 << "unknown subcommand 'pares'";
        QTest::newRow("no log") << QStringList{"telemetry", "parse", "--json"} << 2 << "needs a LOGFILE";
        QTest::newRow("bad interval") << QStringList{"telemetry", "parse", "x.log", "--interval", "fast"} << 2
                                      << "--interval: 'fast'";
        QTest::newRow("unknown flag") << QStringList{"telemetry", "parse", "x.log", "--every", "2"} << 2
                                      << "unknown flag --every";
        QTest::newRow("probe flag") << QStringList{"telemetry", "probe", "--all"} << 2 << "--all";
    }

    void cliErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const CliResult r = runCli(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void cliRefusesANonLog()
    {
        const QString path = writeLog("prose.txt", "hello\nworld\n");
        const CliResult r = runCli({"telemetry", "parse", path, "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no tegrastats line in " + path), qPrintable(r.err));
        QCOMPARE(r.events.last()["skipped_lines"].toInt(), 2);
    }

    void cliProbe()
    {
        const CliResult r = runCli({"telemetry", "probe", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList names;
        for (const QJsonObject &e : r.events) {
            names << e["name"].toString();
            QVERIFY(!e["reason"].toString().isEmpty());
        }
        QCOMPARE(names, (QStringList{"tegrastats", "ina3221", "nvml", "rapl", "procfs"}));
#ifdef Q_OS_LINUX
        QVERIFY(r.events.last()["available"].toBool());
#endif
        const CliResult text = runCli({"telemetry", "probe"});
        QCOMPARE(text.exitCode, 0);
        QCOMPARE(text.out.split('\n', Qt::SkipEmptyParts).size(), 5);
    }
};

QTEST_GUILESS_MAIN(TestTegrastatsParser)
#include "tst_tegrastats_parser.moc"
