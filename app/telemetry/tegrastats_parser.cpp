// tegrastats lines tokenised by blanks and read field by field, without regular expressions and without
// allocating beyond the names kept, because a day of samples at a high rate is tens of megabytes.
#include "app/telemetry/tegrastats_parser.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

namespace ffint8 {

namespace {

using View = QByteArrayView;

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isAlpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool isAlnum(char c)
{
    return isAlpha(c) || isDigit(c);
}

template <size_t N> bool equals(View s, const char (&literal)[N])
{
    return s.size() == qsizetype(N - 1) && std::memcmp(s.data(), literal, N - 1) == 0;
}

template <size_t N> bool startsWith(View s, const char (&literal)[N])
{
    return s.size() >= qsizetype(N - 1) && std::memcmp(s.data(), literal, N - 1) == 0;
}

qsizetype indexOf(View s, char c, qsizetype from = 0)
{
    for (qsizetype i = from; i < s.size(); ++i)
        if (s[i] == c)
            return i;
    return -1;
}

// The whole of `s` must be the number: "12x" or "" is not 12.
bool toInt(View s, int &v)
{
    if (s.isEmpty())
        return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size();
}

bool toDouble(View s, double &v)
{
    if (s.isEmpty())
        return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

bool toNonNegative(View s, double &v)
{
    return toDouble(s, v) && v >= 0;
}

// Blank-separated tokens; a field looks at the token after its name and takes it only when it fits,
// so garbage between a name and its value loses that field and nothing else.
class Tokens
{
public:
    explicit Tokens(View line) : m_p(line.data()), m_end(line.data() + line.size()) { advance(); }

    bool atEnd() const { return m_current.isEmpty(); }
    View current() const { return m_current; }

    void advance()
    {
        while (m_p < m_end && isBlank(*m_p))
            ++m_p;
        const char *start = m_p;
        while (m_p < m_end && !isBlank(*m_p))
            ++m_p;
        m_current = View(start, m_p - start);
    }

private:
    const char *m_p;
    const char *m_end;
    View m_current;
};

bool hasDigitsAt(View s, std::initializer_list<int> positions)
{
    for (int i : positions)
        if (!isDigit(s[i]))
            return false;
    return true;
}

int twoDigits(View s, int at)
{
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// `MM-DD-YYYY` and `HH:MM:SS` (JetPack 5 and later).
std::optional<qint64> readTimestamp(View date, View time)
{
    if (date.size() != 10 || date[2] != '-' || date[5] != '-' || !hasDigitsAt(date, {0, 1, 3, 4, 6, 7, 8, 9}))
        return std::nullopt;
    if (time.size() != 8 || time[2] != ':' || time[5] != ':' || !hasDigitsAt(time, {0, 1, 3, 4, 6, 7}))
        return std::nullopt;
    const int month = twoDigits(date, 0), day = twoDigits(date, 3);
    const int year = twoDigits(date, 6) * 100 + twoDigits(date, 8);
    const int hour = twoDigits(time, 0), minute = twoDigits(time, 3), second = twoDigits(time, 6);
    using namespace std::chrono;
    const year_month_day ymd{std::chrono::year(year), std::chrono::month(unsigned(month)),
                             std::chrono::day(unsigned(day))};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    const qint64 days = sys_days(ymd).time_since_epoch().count();
    return ((days * 24 + hour) * 60 + minute) * 60000LL + second * 1000LL;
}

// `3452/7620MB`: the unit is required, so a value cut short (`3452/76`) is not taken for a smaller one.
bool readUsedTotalMb(View v, std::optional<int> &used, std::optional<int> &total)
{
    if (v.size() < 2 || v[v.size() - 2] != 'M' || v[v.size() - 1] != 'B')
        return false;
    v.chop(2);
    const qsizetype slash = indexOf(v, '/');
    int u = 0, t = 0;
    if (slash < 0 || !toInt(v.first(slash), u) || !toInt(v.sliced(slash + 1), t) || u < 0 || t < 0)
        return false;
    used = u;
    total = t;
    return true;
}

// A clock: `621`, or one per GPC `[621,621]` of which the first is kept. A cut `[621` is refused.
bool readClock(View v, int &mhz)
{
    if (!v.isEmpty() && v[0] == '[') {
        if (v.size() < 3 || v[v.size() - 1] != ']')
            return false;
        v = v.sliced(1, v.size() - 2);
        const qsizetype comma = indexOf(v, ',');
        if (comma >= 0)
            v = v.first(comma);
    }
    return toInt(v, mhz) && mhz >= 0;
}

// `43%@2133`, `43%`, `@2133`, `63%@[621,621]`, `@[621]`. A load whose clock was cut keeps the load.
bool readLoadClock(View v, std::optional<double> &load, std::optional<int> &mhz)
{
    std::optional<double> l;
    if (!v.isEmpty() && v[0] != '@') {
        const qsizetype pct = indexOf(v, '%');
        double value = 0;
        if (pct < 0 || !toNonNegative(v.first(pct), value) || value > 100)
            return false;
        l = value;
        v = v.sliced(pct + 1);
    }
    std::optional<int> m;
    if (!v.isEmpty()) {
        int clock = 0;
        if (v[0] != '@')
            return false; // `63%x`: not this field's syntax
        if (readClock(v.sliced(1), clock))
            m = clock;
    }
    if (!l && !m)
        return false;
    load = l;
    mhz = m;
    return true;
}

// One core: `15%@729`, `15%` (clock given after the list in the old form) or `off`.
bool readCore(View item, CpuCore &core)
{
    if (equals(item, "off")) {
        core.online = false;
        return true;
    }
    const qsizetype pct = indexOf(item, '%');
    double load = 0;
    if (pct < 0 || !toNonNegative(item.first(pct), load) || load > 100)
        return false;
    core.loadPercent = load;
    View rest = item.sliced(pct + 1);
    if (rest.isEmpty())
        return true;
    int mhz = 0;
    if (rest[0] != '@' || !toInt(rest.sliced(1), mhz) || mhz < 0)
        return false;
    core.mhz = mhz;
    return true;
}

// `[1%@1420,off,...]` or the old `[1%,2%]@1420`. All or nothing: a list with a bad or cut item would
// shift the cores' numbering.
bool readCpus(View v, std::vector<CpuCore> &cpus)
{
    const qsizetype close = indexOf(v, ']');
    if (v.isEmpty() || v[0] != '[' || close < 2)
        return false;
    std::optional<int> shared;
    View after = v.sliced(close + 1);
    if (!after.isEmpty()) {
        int mhz = 0;
        if (after[0] != '@' || !toInt(after.sliced(1), mhz) || mhz < 0)
            return false;
        shared = mhz;
    }
    View list = v.sliced(1, close - 1);
    cpus.clear();
    while (true) {
        const qsizetype comma = indexOf(list, ',');
        CpuCore core;
        if (!readCore(comma < 0 ? list : list.first(comma), core)) {
            cpus.clear();
            return false;
        }
        if (core.online && !core.mhz)
            core.mhz = shared;
        cpus.push_back(core);
        if (comma < 0)
            return true;
        list = list.sliced(comma + 1);
    }
}

// VDD_*, VIN_*, POM_*, and VDDQ_* for AGX Orin's VDDQ_VDD2_1V8AO (the DRAM rail): other names with a
// value after them (`RAM 3452/7620MB`, AGX Xavier's bare `GPU 463/463`) are not rails.
bool isRailName(View s)
{
    if (s.size() <= 4
        || !(startsWith(s, "VDD_") || startsWith(s, "VIN_") || startsWith(s, "POM_") || startsWith(s, "VDDQ_")))
        return false;
    for (char c : s)
        if (!isAlnum(c) && c != '_')
            return false;
    return true;
}

bool chopMilliwatts(View &s)
{
    if (s.size() > 2 && s[s.size() - 2] == 'm' && s[s.size() - 1] == 'W') {
        s.chop(2);
        return true;
    }
    return false;
}

// `4824mW/4824mW`, or `6140/5510` before JetPack 5. Both halves must agree on the unit, which catches
// most values cut short (`4824mW/48`).
bool readRailValue(View v, double &current, double &average)
{
    const qsizetype slash = indexOf(v, '/');
    if (slash < 0)
        return false;
    View cur = v.first(slash), avg = v.sliced(slash + 1);
    if (chopMilliwatts(cur) != chopMilliwatts(avg))
        return false;
    return toNonNegative(cur, current) && toNonNegative(avg, average);
}

enum class TempRead { No, Online, Offline };

// `GPU@40.5C`, `tj@50.25C`; newer boards may append a limit after the C (`cpu@45.5C/95C`), ignored.
TempRead readTemperature(View tok, View &name, double &celsius)
{
    const qsizetype at = indexOf(tok, '@');
    if (at < 1 || !isAlpha(tok[0]))
        return TempRead::No;
    for (qsizetype i = 1; i < at; ++i)
        if (!isAlnum(tok[i]) && tok[i] != '_' && tok[i] != '-')
            return TempRead::No;
    const qsizetype c = indexOf(tok, 'C', at + 1);
    if (c < 0 || !toDouble(tok.sliced(at + 1, c - at - 1), celsius))
        return TempRead::No;
    if (c + 1 < tok.size() && (isAlnum(tok[c + 1]) || tok[c + 1] == '.'))
        return TempRead::No;
    name = tok.first(at);
    return celsius == -256 ? TempRead::Offline : TempRead::Online;
}

// A line names each rail and sensor once; a repeat is garbage and the first reading stands.
bool hasRail(const TelemetrySample &s, View name)
{
    for (const PowerRail &r : s.rails)
        if (r.name == QLatin1String(name.data(), name.size()))
            return true;
    return false;
}

bool hasTemperature(const TelemetrySample &s, View name)
{
    for (const Temperature &t : s.temperatures)
        if (t.name == QLatin1String(name.data(), name.size()))
            return true;
    return false;
}

} // namespace

bool parseTegrastatsLine(QByteArrayView line, TelemetrySample &out)
{
    out.clear();
    Tokens t(line);
    bool any = false;

    if (!t.atEnd() && t.current().size() == 10 && isDigit(t.current()[0])) {
        const View date = t.current();
        t.advance();
        if (auto ms = readTimestamp(date, t.current())) {
            out.timestampMs = ms;
            t.advance();
        }
    }

    while (!t.atEnd()) {
        const View tok = t.current();
        t.advance();
        const View value = t.current(); // empty at the end of the line
        bool took = false; // whether `value` belonged to `tok`
        if (equals(tok, "RAM")) {
            took = !out.ramTotalMb && readUsedTotalMb(value, out.ramUsedMb, out.ramTotalMb);
        } else if (equals(tok, "SWAP")) {
            took = !out.swapTotalMb && readUsedTotalMb(value, out.swapUsedMb, out.swapTotalMb);
        } else if (equals(tok, "CPU")) {
            took = out.cpus.empty() && readCpus(value, out.cpus);
        } else if (equals(tok, "EMC_FREQ")) {
            took = !out.emcLoadPercent && !out.emcMhz && readLoadClock(value, out.emcLoadPercent, out.emcMhz);
        } else if (equals(tok, "GR3D_FREQ")) {
            took = !out.gpuLoadPercent && !out.gpuMhz && readLoadClock(value, out.gpuLoadPercent, out.gpuMhz);
        } else if (isRailName(tok)) {
            double current = 0, average = 0;
            took = readRailValue(value, current, average);
            if (took && !hasRail(out, tok))
                out.rails.push_back({QString::fromLatin1(tok), current, average});
        } else {
            View name;
            double celsius = 0;
            switch (readTemperature(tok, name, celsius)) {
            case TempRead::Online:
                if (!hasTemperature(out, name))
                    out.temperatures.push_back({QString::fromLatin1(name), celsius});
                any = true;
                break;
            case TempRead::Offline:
                any = true; // a sensor that reports itself offline is still a recognised field
                break;
            case TempRead::No:
                break; // engine clocks, `NC` placeholders, lfb details and garbage
            }
        }
        if (took) {
            any = true;
            t.advance();
        }
    }

    if (!any) {
        out.clear();
        return false;
    }
    out.deriveBoardPower();
    return true;
}

} // namespace ffint8
