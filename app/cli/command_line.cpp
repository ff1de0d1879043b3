// Parsing of `ffint8 train|eval|bench [SPEC|MODEL] [flags]`.
#include "app/cli/command_line.h"

#include "app/cli/argument_reader.h"

#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "app/spec/suite.h"

#include <cmath>

#include <QDir>
#include <QFile>

namespace ffint8 {

namespace {

const char *kPresetDir = ":/experiments";

QStringList flagNames(const ExtraFlags &extra)
{
    QStringList names;
    for (const auto &s : settingsTable())
        names << s.flag;
    names << "--json" << "--preset";
    if (extra.save)
        names << "--save";
    if (extra.store)
        names << "--db" << "--no-db" << "--tag";
    if (extra.telemetry)
        names << "--telemetry" << "--telemetry-interval" << "--tegrastats" << "--replay-speed";
    return names;
}

} // namespace

QStringList presetNames()
{
    QStringList names;
    // Experiments only: the built-in suites are for `ffint8 run`.
    for (const QString &f : QDir(kPresetDir).entryList({"*.json"}, QDir::Files, QDir::Name))
        if (!isSuiteFile(QStringLiteral("%1/%2").arg(kPresetDir, f)))
            names << f.section('.', 0, 0);
    return names;
}

double positiveNumber(const QString &flag, const QString &text, const QString &what)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v) || v <= 0)
        throw SpecError(QStringLiteral("%1: '%2' is not a positive %3").arg(flag, text, what));
    return v;
}

int positiveInteger(const QString &flag, const QString &text, const QString &what)
{
    bool ok = false;
    const int v = text.toInt(&ok);
    if (!ok || v <= 0)
        throw SpecError(QStringLiteral("%1: '%2' is not a positive %3").arg(flag, text, what));
    return v;
}

bool readTelemetryFlag(ArgumentReader &reader, TrainInvocation &inv)
{
    const QString &arg = reader.current();
    if (arg == "--telemetry") {
        inv.telemetry = reader.value();
    } else if (arg == "--tegrastats") {
        inv.tegrastatsProgram = reader.value();
    } else if (arg == "--replay-speed") {
        inv.replaySpeed = positiveNumber(arg, reader.value(), QStringLiteral("factor"));
    } else if (arg == "--telemetry-interval") {
        inv.telemetryIntervalMs = positiveInteger(arg, reader.value(), QStringLiteral("number of milliseconds"));
    } else {
        return false;
    }
    return true;
}

TrainInvocation parseTrainArguments(const QStringList &args, const ExtraFlags &extra)
{
    TrainInvocation inv;
    QString specPath, preset;
    QList<QPair<const Setting *, QString>> overrides;
    ArgumentReader reader(args);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (!reader.isFlag()) {
            QString &target = extra.model ? inv.modelPath : specPath;
            if (!target.isEmpty())
                throw SpecError(QStringLiteral("unexpected argument '%1' (%2 was already given)").arg(arg, target));
            target = arg;
        } else if (arg == "--json") {
            inv.json = true;
        } else if (arg == "--preset") {
            preset = reader.value();
        } else if (arg == "--save" && extra.save) {
            inv.savePath = reader.value();
        } else if (arg == "--db" && extra.store) {
            inv.databasePath = reader.value();
        } else if (arg == "--no-db" && extra.store) {
            inv.storeRun = false;
        } else if (arg == "--tag" && extra.store) {
            inv.tags << reader.value();
        } else if (extra.telemetry && readTelemetryFlag(reader, inv)) {
            continue;
        } else if (const Setting *s = settingByFlag(arg)) {
            overrides.append({s, reader.value()});
        } else {
            throw SpecError(QStringLiteral("unknown flag %1; valid flags: %2").arg(arg, flagNames(extra).join(", ")));
        }
    }
    if (!preset.isEmpty()) {
        if (!specPath.isEmpty())
            throw SpecError("give either a spec file or --preset, not both");
        if (!presetNames().contains(preset))
            throw SpecError(QStringLiteral("unknown preset '%1'; valid: %2").arg(preset, presetNames().join(", ")));
        inv.spec = parseSpecFile(QStringLiteral("%1/%2.json").arg(kPresetDir, preset));
    } else if (!specPath.isEmpty()) {
        inv.spec = parseSpecFile(specPath);
    } else {
        inv.spec.name = "default";
    }
    for (const auto &[setting, text] : overrides) {
        try {
            applySetting(inv.spec, *setting, text);
        } catch (const SpecError &e) {
            throw SpecError(QStringLiteral("%1: %2").arg(setting->flag, QString::fromUtf8(e.what())));
        }
    }
    try {
        inv.spec.config.validate();
    } catch (const std::exception &e) {
        throw SpecError(QString::fromUtf8(e.what()));
    }
    return inv;
}

QString usageText()
{
    QString text = QStringLiteral(
        "usage: ffint8 COMMAND [ARGS]\n\n"
        "commands:\n"
        "  train [SPEC.json] [flags]   train on the CPU; flags override the spec\n"
        "  eval MODEL [flags]          evaluate a saved model on a dataset's test set\n"
        "  bench [SPEC.json] [flags]   time INT8 and FP32 GEMMs at the model's shapes, then epochs of bp-fp32, ff-fp32\n"
        "                              and ff-int8 with each step split into GEMMs, optimizer step and the rest;\n"
        "                              --busy N: instead, epochs at automatic and at each fixed --threads with N\n"
        "                              cores kept busy by processes the bench starts and stops\n"
        "  compare [SPEC.json] [flags] train several algorithms in one process, record each run, print Table V's\n"
        "                              columns; --algos a,b,.. (default all five), --bp-lr X (the BP methods' lr),\n"
        "                              --baseline ALGO (bp-fp32), --interleave (the methods take turns, an epoch each)\n"
        "  run SPEC|SUITE [flags]      run an experiment or a suite (specs, sweeps, seeds) and record every run\n"
        "  runs list|show|tag|untag|note|rename|delete  the recorded runs (list filters: --status --algo --dataset\n"
        "                              --tag --suite --since --until --text)\n"
        "  export --runs IDS|--tag T|--suite S --format csv|md|latex|json [--layout long|paper]\n"
        "         [--baseline ALGO] [--out FILE]   result tables from the recorded runs\n"
        "  backends                    which compute backends this build and machine can run\n"
        "  telemetry parse LOG [--json] [--interval MS]\n"
        "                              read a tegrastats log: each sample, then mean board power and energy\n"
        "                              (--interval: time between lines without timestamps, default 1000)\n"
        "  telemetry probe [--json]    which power and memory sources this machine has, and why not the others\n"
        "  model show PRESET|SPEC [--json]  a model's layers, output shapes, parameters and MACs\n"
        "                              (presets: mlp, cnn-small, resnet-18, mobilenet-v2, efficientnet-b0)\n"
        "  data fetch mnist|fashion-mnist|cifar10 [--mirror URL] [--dir DIR]\n"
        "                              download a dataset (resumable, checksums verified) into the folder\n"
        "                              --dataset NAME searches ($FFINT8_DATA, else $XDG_DATA_HOME/ffint8/datasets)\n"
        "  help [COMMAND]              this text, or one command's usage and flags by group\n"
        "                              (also: ffint8 COMMAND --help, or -h)\n\n"
        "flags of train, eval and bench:\n");
    for (const auto &s : settingsTable()) {
        QString values = s.choices.isEmpty() ? QString() : " (" + s.choices.join("|") + ")";
        text += QStringLiteral("  %1 %2%3\n").arg(s.flag, -24).arg(s.help, values);
    }
    text += QStringLiteral("  %1 %2\n").arg("--preset NAME", -24).arg("start from a built-in experiment: " + presetNames().join(", "));
    text += QStringLiteral("  %1 %2\n").arg("--save FILE", -24).arg("train: save the trained model");
    text += QStringLiteral("  %1 %2\n").arg("--db PATH", -24).arg("train, run, compare: the run store (default $FFINT8_DB, else $XDG_DATA_HOME/ffint8/runs.sqlite)");
    text += QStringLiteral("  %1 %2\n").arg("--no-db", -24).arg("train, compare: do not record the runs");
    text += QStringLiteral("  %1 %2\n").arg("--tag TAG", -24).arg("train, run, compare: tag the recorded runs (repeatable)");
    text += QStringLiteral("  %1 %2\n").arg("--json", -24).arg("one JSON object per line on stdout");
    text += QStringLiteral("  %1 %2\n").arg("--telemetry SOURCE", -24).arg("train, compare: auto (default), tegrastats, ina3221, nvml, rapl, none or replay:LOGFILE");
    text += QStringLiteral("  %1 %2\n").arg("--telemetry-interval MS", -24).arg("power sampling interval (200)");
    text += QStringLiteral("  %1 %2\n").arg("--replay-speed X", -24).arg("replay:LOGFILE plays the log X times faster (1)");
    text += QStringLiteral("  %1 %2\n").arg("--tegrastats PATH", -24).arg("the tegrastats program (default: found on PATH)");
    return text;
}

} // namespace ffint8
