// Suites: a list of experiments, with sweeps (a setting over several values, several seeds), that
// `ffint8 run` and the workbench's queue run one after the other and record under the suite's name.
// Format "ffint8-suite", version 1; documented in experiments/README.md.
#pragma once

#include "app/spec/experiment_spec.h"

#include <QList>

namespace ffint8 {

constexpr int kSuiteVersion = 1;
// The most runs a suite may expand to. A suite is run one after the other, and every run is built
// in memory first; a sweep written by mistake (five settings of twenty values: 3.2 million runs)
// would exhaust memory before the first run. Counted before anything is built.
constexpr quint64 kMaxSuiteRuns = 10000;

struct Suite
{
    QString name;
    QString description;
    QString sourcePath;
    bool isSuite = false; // format "ffint8-suite"; false for a spec read as a suite of one
    QList<ExperimentSpec> runs; // expanded: one entry per run, sweeps multiplied out
};

// Reads a suite file, or a spec file as a suite of one run. Specs named in a suite are found next
// to the suite file, else among the built-in experiments. Throws SpecError "FILE:LINE:COLUMN: ...",
// also for a suite of more than kMaxSuiteRuns runs (with the count).
Suite parseSuiteFile(const QString &path);

// The built-in experiment or suite of that name (":/experiments/NAME.json"), or an empty string.
QString builtInExperiment(const QString &name);
// The names of the built-in suites (the built-in experiments are presetNames(), command_line.h).
QStringList builtInSuiteNames();
// Whether the JSON file is a suite (its format is "ffint8-suite"); false when it cannot be read.
bool isSuiteFile(const QString &path);

} // namespace ffint8
