// One reading of a board's telemetry (power rails, memory, clocks, loads, temperatures), whatever source gave it.
#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace ffint8 {

// Every field is optional because every source (and every tegrastats version) reports a different
// subset: std::optional is empty and the lists are empty where the source said nothing. Nothing is
// encoded as a sentinel, so 0 always means a measured zero.

struct PowerRail
{
    QString name; // as the source spells it: VDD_IN, POM_5V_GPU, VDD_CPU_GPU_CV...
    double currentMw = 0; // the reading at this sample
    std::optional<double> averageMw; // tegrastats' running average since it started, where given
};

struct CpuCore
{
    bool online = true; // false: tegrastats printed `off` (core powered down)
    std::optional<double> loadPercent; // absent for an offline core
    std::optional<int> mhz; // per core, or the shared clock of the old `[a%,b%]@MHz` form
};

struct Temperature
{
    QString name; // thermal zone as printed (upper-case on older boards, lower-case on newer ones)
    double celsius = 0;
};

// How boardMw was obtained, so energy figures can say what they cover.
enum class BoardPowerFrom {
    Absent, // no rail at all in the sample
    InputRail, // VDD_IN or POM_5V_IN: the module's whole input
    RailSum, // no input rail (AGX Orin, Thor): the sum of the named rails, which may miss some loads
};

struct TelemetrySample
{
    // Milliseconds since the Unix epoch. tegrastats prints local time without a zone; it is read as if
    // it were UTC, which keeps differences between samples right (except across a DST change).
    std::optional<qint64> timestampMs;

    std::optional<double> boardMw; // whole-board power now
    std::optional<double> boardAverageMw; // and its running average, where every rail used has one
    BoardPowerFrom boardPowerFrom = BoardPowerFrom::Absent;
    std::vector<PowerRail> rails; // in the order printed; placeholders (`NC`) are not rails

    std::optional<int> ramUsedMb, ramTotalMb;
    std::optional<int> swapUsedMb, swapTotalMb;

    std::vector<CpuCore> cpus; // one per core in the order printed; empty where no CPU field

    std::optional<double> emcLoadPercent; // memory controller
    std::optional<int> emcMhz;
    std::optional<double> gpuLoadPercent; // GR3D
    std::optional<int> gpuMhz; // the first GPC's clock where tegrastats prints one per GPC

    std::vector<Temperature> temperatures; // offline sensors (-256C) left out

    const PowerRail *rail(QStringView name) const
    {
        for (const PowerRail &r : rails)
            if (r.name == name)
                return &r;
        return nullptr;
    }

    std::optional<double> temperature(QStringView name) const
    {
        for (const Temperature &t : temperatures)
            if (t.name == name)
                return t.celsius;
        return std::nullopt;
    }

    // Empties every field but keeps the lists' storage, so parsing line after line does not allocate.
    // Board power from the rails: VDD_IN or POM_5V_IN where present, else the sum of the rails
    // (telemetry.md); the average likewise where every rail used has one.
    void deriveBoardPower();

    void clear()
    {
        timestampMs.reset();
        boardMw.reset();
        boardAverageMw.reset();
        boardPowerFrom = BoardPowerFrom::Absent;
        rails.clear();
        ramUsedMb.reset();
        ramTotalMb.reset();
        swapUsedMb.reset();
        swapTotalMb.reset();
        cpus.clear();
        emcLoadPercent.reset();
        emcMhz.reset();
        gpuLoadPercent.reset();
        gpuMhz.reset();
        temperatures.clear();
    }
};

} // namespace ffint8
