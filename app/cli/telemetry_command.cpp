// `ffint8 telemetry`: a tegrastats log read into samples and the energy it covers, and which telemetry
// sources this machine offers.
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/session/run_events.h"
#include "app/telemetry/ina3221_source.h"
#include "app/telemetry/nvml_source.h"
#include "app/telemetry/rapl_source.h"
#include "app/telemetry/energy.h"
#include "app/telemetry/tegrastats_parser.h"
#include "app/telemetry/time_axis.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QLibrary>
#include <QStandardPaths>
#include <QTextStream>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace ffint8 {

namespace {

constexpr int kDefaultIntervalMs = 1000; // tegrastats' own default
constexpr int kMaxSkipWarnings = 3; // a wrong file would otherwise flood stderr

const char *kUsage = "usage: ffint8 telemetry parse LOGFILE [--json] [--interval MS]\n"
                     "       ffint8 telemetry probe [--json]\n";

struct ParseOptions
{
    QString path;
    bool json = false;
    int intervalMs = kDefaultIntervalMs;
};

// Returns an empty string on success, else the usage error.
QString parseOptions(const QStringList &args, ParseOptions &o)
{
    try {
        ArgumentReader reader(args);
        while (reader.next()) {
            const QString &arg = reader.current();
            if (!reader.isFlag()) {
                if (!o.path.isEmpty())
                    return QStringLiteral("unexpected argument '%1' (%2 was already given)").arg(arg, o.path);
                o.path = arg;
            } else if (arg == "--json") {
                o.json = true;
            } else if (arg == "--interval") {
                const QString value = reader.value();
                bool ok = false;
                o.intervalMs = value.toInt(&ok);
                if (!ok || o.intervalMs <= 0)
                    return QStringLiteral("--interval: '%1' is not a whole number of milliseconds above 0").arg(value);
            } else {
                return QStringLiteral("unknown flag %1; valid flags: --json, --interval").arg(arg);
            }
        }
    } catch (const SpecError &e) {
        return QString::fromUtf8(e.what());
    }
    if (o.path.isEmpty())
        return QStringLiteral("needs a LOGFILE (a file tegrastats wrote, e.g. with --logfile)");
    return {};
}

// Sample lines are written by hand, not through QJsonObject and QString::arg: building those per
// sample took ten times as long as parsing the line (0.6 s against 0.03 s for a 10 MB log).

void appendNumber(QByteArray &out, double v)
{
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char text[32];
    // Whole numbers (mW, MHz, MB) as integers; others in the shortest form that reads back exactly.
    const auto r = v == std::floor(v) && std::fabs(v) < 1e15 ? std::to_chars(text, text + sizeof text, qint64(v))
                                                             : std::to_chars(text, text + sizeof text, v);
    out.append(text, r.ptr - text);
}

template <class T> void appendOptional(QByteArray &out, const std::optional<T> &v)
{
    if (v)
        appendNumber(out, double(*v));
    else
        out += "null";
}

void appendJsonString(QByteArray &out, const QString &s)
{
    out += '"';
    for (char c : s.toUtf8()) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (uchar(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(uchar(c)));
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
}

template <class T> void appendField(QByteArray &out, const char *key, const std::optional<T> &v)
{
    out += ",\"";
    out += key;
    out += "\":";
    appendOptional(out, v);
}

const char *boardPowerName(BoardPowerFrom from)
{
    switch (from) {
    case BoardPowerFrom::InputRail:
        return "input_rail";
    case BoardPowerFrom::RailSum:
        return "rail_sum";
    case BoardPowerFrom::Absent:
        break;
    }
    return nullptr;
}

// One `sample` event: every key always present, null where the line did not say.
void appendSampleJson(QByteArray &out, const TelemetrySample &s, qint64 line)
{
    out += "{\"event\":\"sample\",\"line\":";
    appendNumber(out, double(line));
    out += ",\"timestamp_ms\":";
    if (s.timestampMs)
        out += QByteArray::number(*s.timestampMs);
    else
        out += "null";
    appendField(out, "board_mw", s.boardMw);
    appendField(out, "board_avg_mw", s.boardAverageMw);
    out += ",\"board_power\":";
    const char *from = boardPowerName(s.boardPowerFrom);
    out += from ? QByteArray("\"") + from + '"' : QByteArray("null");
    out += ",\"rails\":{";
    for (size_t i = 0; i < s.rails.size(); ++i) {
        if (i)
            out += ',';
        appendJsonString(out, s.rails[i].name);
        out += ':';
        appendNumber(out, s.rails[i].currentMw);
    }
    out += "},\"rails_avg\":{";
    bool first = true;
    for (const PowerRail &r : s.rails) {
        if (!r.averageMw)
            continue;
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, r.name);
        out += ':';
        appendNumber(out, *r.averageMw);
    }
    out += '}';
    appendField(out, "ram_used_mb", s.ramUsedMb);
    appendField(out, "ram_total_mb", s.ramTotalMb);
    appendField(out, "swap_used_mb", s.swapUsedMb);
    appendField(out, "swap_total_mb", s.swapTotalMb);
    out += ",\"cpus\":[";
    for (size_t i = 0; i < s.cpus.size(); ++i) {
        out += i ? ",{" : "{";
        if (s.cpus[i].online) {
            out += "\"online\":true";
            appendField(out, "load", s.cpus[i].loadPercent);
            appendField(out, "mhz", s.cpus[i].mhz);
        } else {
            out += "\"online\":false";
        }
        out += '}';
    }
    out += ']';
    appendField(out, "emc_load", s.emcLoadPercent);
    appendField(out, "emc_mhz", s.emcMhz);
    appendField(out, "gpu_load", s.gpuLoadPercent);
    appendField(out, "gpu_mhz", s.gpuMhz);
    out += ",\"temps\":{";
    for (size_t i = 0; i < s.temperatures.size(); ++i) {
        if (i)
            out += ',';
        appendJsonString(out, s.temperatures[i].name);
        out += ':';
        appendNumber(out, s.temperatures[i].celsius);
    }
    out += "}}\n";
}

void appendLoadClock(QByteArray &out, const std::optional<double> &load, const std::optional<int> &mhz)
{
    if (load) {
        appendNumber(out, *load);
        out += '%';
    }
    if (mhz) {
        out += '@';
        appendNumber(out, *mhz);
    }
}

void appendSampleText(QByteArray &out, const TelemetrySample &s, qint64 line)
{
    out += "line ";
    appendNumber(out, double(line));
    if (s.timestampMs) {
        using namespace std::chrono;
        const sys_time<milliseconds> t{milliseconds(*s.timestampMs)};
        const auto day = floor<days>(t);
        const year_month_day ymd{day};
        const hh_mm_ss hms{floor<seconds>(t - day)};
        char text[40];
        std::snprintf(text, sizeof text, "  %04d-%02u-%02u %02d:%02d:%02d", int(ymd.year()), unsigned(ymd.month()),
                      unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                      int(hms.seconds().count()));
        out += text;
    }
    if (s.boardMw) {
        out += "  board ";
        appendNumber(out, *s.boardMw);
        out += s.boardPowerFrom == BoardPowerFrom::RailSum ? " mW (sum of rails)" : " mW";
    }
    if (!s.rails.empty()) {
        out += "  rails";
        for (const PowerRail &r : s.rails) {
            out += ' ';
            out += r.name.toLatin1();
            out += ' ';
            appendNumber(out, r.currentMw);
        }
        out += " mW";
    }
    if (s.ramTotalMb) {
        out += "  RAM ";
        appendOptional(out, s.ramUsedMb);
        out += '/';
        appendNumber(out, *s.ramTotalMb);
        out += " MB";
    }
    if (s.swapTotalMb) {
        out += "  SWAP ";
        appendOptional(out, s.swapUsedMb);
        out += '/';
        appendNumber(out, *s.swapTotalMb);
        out += " MB";
    }
    if (!s.cpus.empty()) {
        out += "  CPU";
        for (const CpuCore &c : s.cpus) {
            out += ' ';
            if (c.online)
                appendLoadClock(out, c.loadPercent, c.mhz);
            else
                out += "off";
        }
    }
    if (s.emcLoadPercent || s.emcMhz) {
        out += "  EMC ";
        appendLoadClock(out, s.emcLoadPercent, s.emcMhz);
    }
    if (s.gpuLoadPercent || s.gpuMhz) {
        out += "  GPU ";
        appendLoadClock(out, s.gpuLoadPercent, s.gpuMhz);
    }
    if (!s.temperatures.empty()) {
        out += "  temps";
        for (const Temperature &t : s.temperatures) {
            out += ' ';
            out += t.name.toUtf8();
            out += ' ';
            appendNumber(out, t.celsius);
        }
        out += " C";
    }
    out += '\n';
}

int parseLog(const ParseOptions &o)
{
    QTextStream err(stderr);
    QFile file(o.path);
    if (!file.open(QIODevice::ReadOnly)) {
        err << "ffint8 telemetry parse: cannot open tegrastats log " << o.path << ": " << file.errorString() << "\n";
        return ExitError;
    }
    // Mapping avoids copying the log; a pipe or a special file cannot be mapped and is read whole.
    QByteArray contents;
    QByteArrayView text;
    if (file.size() > 0) {
        if (const uchar *mapped = file.map(0, file.size()))
            text = QByteArrayView(reinterpret_cast<const char *>(mapped), file.size());
    }
    if (text.isNull()) {
        contents = file.readAll();
        if (file.error() != QFileDevice::NoError) {
            err << "ffint8 telemetry parse: cannot read tegrastats log " << o.path << ": " << file.errorString()
                << "\n";
            return ExitError;
        }
        text = contents;
    }

    TelemetrySample sample;
    std::vector<std::optional<qint64>> stamps;
    std::vector<std::optional<double>> watts;
    int skipped = 0, railSums = 0, inputRails = 0;
    qint64 lineNo = 0;
    QByteArray out;
    const char *p = text.data(), *end = text.data() + text.size();
    while (p < end) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        const char *lineEnd = nl ? nl : end;
        const QByteArrayView line(p, lineEnd - p);
        p = nl ? nl + 1 : end;
        ++lineNo;
        if (!parseTegrastatsLine(line, sample)) {
            if (line.trimmed().isEmpty())
                continue; // blank lines (a trailing newline, CRLF leftovers) are not skipped samples
            if (++skipped <= kMaxSkipWarnings)
                err << o.path << ":" << lineNo << ": not a tegrastats line, skipped: '"
                    << QString::fromUtf8(line.first(std::min<qsizetype>(line.size(), 60)))
                    << (line.size() > 60 ? "...'\n" : "'\n");
            continue;
        }
        stamps.push_back(sample.timestampMs);
        watts.push_back(sample.boardMw ? std::optional<double>(*sample.boardMw / 1000.0) : std::nullopt);
        railSums += sample.boardPowerFrom == BoardPowerFrom::RailSum;
        inputRails += sample.boardPowerFrom == BoardPowerFrom::InputRail;
        if (o.json)
            appendSampleJson(out, sample, lineNo);
        else
            appendSampleText(out, sample, lineNo);
        if (out.size() > (1 << 16)) {
            std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
            out.clear();
        }
    }
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fflush(stdout);
    if (skipped > kMaxSkipWarnings)
        err << o.path << ": " << skipped - kMaxSkipWarnings << " more lines skipped\n";

    const TimeAxis axis = buildTimeAxis(stamps, o.intervalMs);
    std::vector<PowerPoint> points;
    for (size_t i = 0; i < watts.size(); ++i)
        if (watts[i])
            points.push_back({axis.seconds[i], *watts[i]});
    const EnergySummary e = integrateEnergy(points);
    const int samples = int(stamps.size());
    const auto stamped = std::count_if(stamps.begin(), stamps.end(), [](const auto &t) { return t.has_value(); });
    const QString timeFrom = stamped == 0 ? "interval" : stamped == samples ? "timestamps" : "mixed";
    const QString boardPower = railSums == 0 ? (inputRails ? "input_rail" : "none") : inputRails ? "mixed" : "rail_sum";
    if (o.json) {
        printEvent(QJsonObject{{"event", "summary"},
                               {"source", "tegrastats-log"},
                               {"file", o.path},
                               {"samples", samples},
                               {"power_samples", e.samples},
                               {"skipped_lines", skipped},
                               {"mean_board_w", points.empty() ? QJsonValue() : QJsonValue(e.meanWatts)},
                               {"energy_j", points.empty() ? QJsonValue() : QJsonValue(e.joules)},
                               {"span_s", e.spanSeconds},
                               {"board_power", boardPower},
                               {"time_from", timeFrom},
                               {"interval_ms", axis.stepMs},
                               {"time_jumps", axis.jumps}});
    } else {
        QTextStream(stdout) << QStringLiteral(
                                   "summary: %1 samples (%2 with board power), %3 lines skipped; time from %4, "
                                   "step %5 ms, %6 clock jumps; span %7 s; ")
                                   .arg(samples)
                                   .arg(e.samples)
                                   .arg(skipped)
                                   .arg(timeFrom, QString::number(axis.stepMs, 'g', 10))
                                   .arg(axis.jumps)
                                   .arg(e.spanSeconds, 0, 'f', 3)
                            << (points.empty() ? QStringLiteral("no board power")
                                               : QStringLiteral("mean board power %1 W (%2), energy %3 J")
                                                     .arg(e.meanWatts, 0, 'f', 3)
                                                     .arg(boardPower)
                                                     .arg(e.joules, 0, 'f', 3))
                            << "\n";
    }
    if (samples == 0) {
        err << "ffint8 telemetry parse: no tegrastats line in " << o.path << "\n";
        return ExitError;
    }
    return ExitOk;
}

struct SourceProbe
{
    QString name;
    bool available = false;
    QString reason;
};

SourceProbe probeTegrastats()
{
    const QString path = QStandardPaths::findExecutable("tegrastats");
    if (path.isEmpty())
        return {"tegrastats", false, "not on PATH (not a Jetson, or L4T's tools are not installed)"};
    return {"tegrastats", true, path + " (rails and clocks may need root)"};
}

SourceProbe probeIna3221()
{
    QString reason;
    const bool ok = Ina3221Source::available("/sys", &reason);
    if (ok)
        reason = QStringLiteral("%1 rails under /sys/bus/i2c/drivers").arg(Ina3221Source("/sys").channelCount());
    return {"ina3221", ok, reason};
}

SourceProbe probeNvml()
{
    QString reason;
    const bool ok = NvmlSource::available(&reason);
    return {"nvml", ok, reason};
}

SourceProbe probeRapl()
{
    QString reason;
    const bool ok = RaplSource::available("/sys", &reason);
    return {"rapl", ok, ok ? QStringLiteral("/sys/class/powercap/intel-rapl:0/energy_uj readable") : reason};
}

SourceProbe probeProcfs()
{
    QFile f("/proc/self/status");
    if (!f.open(QIODevice::ReadOnly))
        return {"procfs", false, "/proc/self/status cannot be opened: " + f.errorString()};
    if (!f.readAll().contains("VmRSS:"))
        return {"procfs", false, "/proc/self/status has no VmRSS line"};
    return {"procfs", true, "/proc/self/status (VmRSS, VmHWM)"};
}

int probe(const QStringList &args)
{
    bool json = false;
    for (const QString &a : args) {
        if (a != "--json") {
            QTextStream(stderr) << "ffint8 telemetry probe: unknown argument " << a << "; valid flags: --json\n";
            return ExitUsage;
        }
        json = true;
    }
    const SourceProbe probes[] = {probeTegrastats(), probeIna3221(), probeNvml(), probeRapl(), probeProcfs()};
    QTextStream out(stdout);
    for (const SourceProbe &p : probes) {
        if (json)
            printEvent(
                QJsonObject{{"event", "source"}, {"name", p.name}, {"available", p.available}, {"reason", p.reason}});
        else
            out << QStringLiteral("%1 %2 %3\n")
                       .arg(p.name, -10)
                       .arg(p.available ? "available  " : "unavailable")
                       .arg(p.reason);
    }
    return ExitOk;
}

} // namespace

int telemetryCommand(const QStringList &args)
{
    QTextStream err(stderr);
    const QString sub = args.value(0);
    if (sub == "probe")
        return probe(args.mid(1));
    if (sub == "parse") {
        ParseOptions o;
        if (const QString problem = parseOptions(args.mid(1), o); !problem.isEmpty()) {
            err << "ffint8 telemetry parse: " << problem << "\n" << kUsage;
            return ExitUsage;
        }
        return parseLog(o);
    }
    if (sub.isEmpty())
        err << "ffint8 telemetry: needs a subcommand; valid: parse, probe\n" << kUsage;
    else
        err << "ffint8 telemetry: unknown subcommand '" << sub << "'; valid: parse, probe\n" << kUsage;
    return ExitUsage;
}

} // namespace ffint8
