// Command-line parsing for the ffint8 commands: a spec or preset, then flags that override it.
#pragma once

#include "app/spec/experiment_spec.h"

#include <QString>
#include <QStringList>

namespace ffint8 {

struct TrainInvocation
{
    ExperimentSpec spec;
    bool json = false;
    QString savePath;
    QString modelPath; // eval: the model file
    // Power measurement while training (train, run, compare): empty / 0 keep the spec's choice.
    QString telemetry;
    int telemetryIntervalMs = 0;
    QString tegrastatsProgram = "tegrastats";
    double replaySpeed = 1.0;
    QString databasePath; // --db; empty: the default store (RunStore::defaultPath())
    bool storeRun = true; // --no-db turns recording off
    QStringList tags;     // --tag, repeatable
};

// Flags the train-like commands accept besides the run settings.
struct ExtraFlags
{
    bool save = false;  // --save FILE
    bool model = false;     // a positional MODEL instead of SPEC
    bool telemetry = false; // --telemetry, --telemetry-interval, --tegrastats
    bool store = false;     // --db PATH, --no-db, --tag TAG
};

// Throws SpecError naming the unknown flag and the valid ones, or the bad value and its flag.
TrainInvocation parseTrainArguments(const QStringList &args, const ExtraFlags &extra);

// A flag's value as a positive (finite) number or integer; SpecError "FLAG: 'TEXT' is not a positive
// WHAT" otherwise.
double positiveNumber(const QString &flag, const QString &text, const QString &what);
int positiveInteger(const QString &flag, const QString &text, const QString &what);

class ArgumentReader;
// The power flags of every command that trains (--telemetry, --telemetry-interval, --tegrastats,
// --replay-speed): reads the reader's current flag into `inv` and returns true when it is one of
// them; throws SpecError for a bad value.
bool readTelemetryFlag(ArgumentReader &reader, TrainInvocation &inv);

// The names of the built-in presets (experiments embedded in the program).
QStringList presetNames();
QString usageText();

} // namespace ffint8
