// Per-command help in the style of git and cmake: usage, one sentence, then the flags by group.
#include "app/cli/command_help.h"

#include "app/cli/command_line.h"
#include "app/spec/settings_table.h"
#include "engine/nn/model_spec.h"

#include <QList>

namespace ffint8 {

namespace {

struct FlagLine
{
    QString flag; // with its value, e.g. "--db PATH"
    QString meaning;
    QString group;
};

struct CommandInfo
{
    QString name;
    QString synopsis; // after "usage: "; further lines are indented to match
    QString summary;
    bool settings = false;    // takes the run settings' flags
    QStringList onlySettings; // of those only these paths (eval), empty: all
    QList<FlagLine> flags;
};

// Groups in the order they are printed; a group with no flag for a command is left out.
const QStringList kGroupOrder = {"experiment", "model", "data", "training", "FF", "INT8", "comparison", "selection",
                                 "filters", "queue", "telemetry", "output"};
constexpr int kFlagColumn = 34;

// A setting's group follows the first part of its spec path, so a new setting lands in a group
// without anyone editing this file.
QString groupOf(const Setting &s)
{
    const QString head = s.path.section('.', 0, 0);
    if (head == "algorithm" || head == "model")
        return "model";
    if (head == "dataset" || head == "evaluation")
        return "data";
    if (head == "ff")
        return "FF";
    if (head == "int8" || head == "ui8")
        return "INT8";
    return "training"; // training.*, backend.*
}

QString valueOf(const Setting &s)
{
    switch (s.kind) {
    case SettingKind::Integer:
    case SettingKind::Seed: return "N";
    case SettingKind::Number: return "X";
    case SettingKind::Choice:
    case SettingKind::Switch: return s.choices.join('|');
    case SettingKind::IntegerList: return "W,W,...";
    case SettingKind::Text: return "NAME";
    }
    return "VALUE";
}

const QList<FlagLine> kTelemetryFlags = {
    {"--telemetry SOURCE", "power source: auto (default), tegrastats, ina3221, nvml, rapl, none or replay:LOGFILE", "telemetry"},
    {"--telemetry-interval MS", "power sampling interval in milliseconds (default 200)", "telemetry"},
    {"--tegrastats PATH", "the tegrastats program (default: found on PATH)", "telemetry"},
};
const FlagLine kReplaySpeed{"--replay-speed X", "replay:LOGFILE plays the log X times faster (default 1)", "telemetry"};
const FlagLine kPreset{"--preset NAME", "start from a built-in experiment instead of SPEC.json", "experiment"};
const FlagLine kJson{"--json", "one JSON object per line on stdout", "output"};
const FlagLine kDb{"--db PATH", "the run store: an SQLite file (default $FFINT8_DB, else $XDG_DATA_HOME/ffint8/runs.sqlite) "
                                 "or postgresql://USER@HOST:PORT/DBNAME (password from PGPASSWORD or ~/.pgpass)", "output"};
const FlagLine kTag{"--tag TAG", "tag the recorded run (repeatable)", "output"};

// "mlp, cnn-small, ...": every model preset, as the engine lists them.
QString presetNames()
{
    QStringList names;
    for (const std::string &n : modelPresetNames())
        names << QString::fromStdString(n);
    return names.join(QStringLiteral(", "));
}

QList<CommandInfo> commands()
{
    QList<CommandInfo> list;
    list << CommandInfo{"train", "ffint8 train [SPEC.json | --preset NAME] [flags]",
                        "Trains one run on this machine and records it in the run store; flags override the spec.",
                        true, {},
                        QList<FlagLine>{kPreset,
                                        {"--save FILE", "save the trained model (checked writable before training)", "output"},
                                        kDb,
                                        {"--no-db", "do not record the run", "output"},
                                        kTag, kJson}
                            + kTelemetryFlags + QList<FlagLine>{kReplaySpeed}};
    list << CommandInfo{"eval", "ffint8 eval MODEL [flags]",
                        "Evaluates a model saved with `train --save` on a dataset's test set.",
                        true,
                        {"dataset.name", "dataset.test_limit", "dataset.pad_to", "backend.name", "backend.threads", "evaluation.batch"},
                        {kJson}};
    list << CommandInfo{"bench", "ffint8 bench [SPEC.json | --preset NAME] [flags]",
                        "Times INT8 and FP32 GEMMs at the model's shapes, then epochs of bp-fp32, ff-fp32 and ff-int8 "
                        "split into GEMMs, optimizer step and the rest. With --model NAME (a model graph): steps of "
                        "bp-fp32, bp-int8, bp-ui8, ff-fp32 and ff-int8 taking turns, each split by op category, with the "
                        "engine's peak memory.",
                        true, {},
                        {kPreset,
                         {"--busy N", "instead: epochs at automatic and at each fixed --threads with N cores kept busy "
                                      "by processes the bench starts and stops", "benchmark"},
                         kJson}};
    list << CommandInfo{"compare", "ffint8 compare [SPEC.json | --preset NAME] [flags]",
                        "Trains several algorithms in one process, records each run in the run store (suite "
                        "\"compare DATE TIME\") and prints Table V's columns.",
                        true, {},
                        QList<FlagLine>{kPreset,
                                        {"--algos A,B,...", "the algorithms to compare (default all five)", "comparison"},
                                        {"--bp-lr X",
                                         QStringLiteral("the BP methods' learning rate (default %1, BP's own)")
                                             .arg(double(defaultLearningRate(Algorithm::BpFp32))),
                                         "comparison"},
                                        {"--baseline ALGO", "the ratios' denominator (default bp-fp32)", "comparison"},
                                        {"--interleave", "the methods take turns, one epoch each", "comparison"},
                                        kDb,
                                        {"--no-db", "do not record the runs", "output"},
                                        {"--tag TAG", "tag every recorded run (repeatable)", "output"},
                                        kJson}
                            + kTelemetryFlags + QList<FlagLine>{kReplaySpeed}};
    list << CommandInfo{"run", "ffint8 run SPEC.json|SUITE.json|--preset NAME [flags]",
                        "Runs an experiment or a suite (specs, sweeps, seeds) and records every run; the run "
                        "settings' flags apply to every run.",
                        true, {},
                        QList<FlagLine>{kPreset,
                                        {"--dry-run", "list the runs the suite expands to, train none", "output"},
                                        {"--queue", "put the runs in the store's work queue for `ffint8 worker` on the "
                                                    "boards (each needs the backend its spec names), train none here", "output"},
                                        kDb, kTag, kJson}
                            + kTelemetryFlags + QList<FlagLine>{kReplaySpeed}};
    list << CommandInfo{"runs",
                        "ffint8 runs list [filters] [--json] [--db PATH]\n"
                        "ffint8 runs show ID [--json] [--db PATH]\n"
                        "ffint8 runs tag ID TAG | untag ID TAG | note ID TEXT | rename ID NAME | delete ID [--db PATH]\n"
                        "ffint8 runs push [ID...] [filters] --to postgresql://USER@HOST:PORT/DBNAME [--db PATH]",
                        "Lists, shows and edits the recorded runs, and copies them into a shared store.", false, {},
                        {{"--status S", "running, completed, diverged, cancelled, failed or interrupted", "filters"},
                         {"--algo A", "the algorithm", "filters"},
                         {"--dataset D", "the dataset", "filters"},
                         {"--tag T", "runs with this tag", "filters"},
                         {"--suite S", "runs of this suite", "filters"},
                         {"--board B", "runs trained on this board (a worker's --board, else its host name)", "filters"},
                         {"--since DATE", "started on or after (2026-11-28 or 2026-11-28T14:00:00Z)", "filters"},
                         {"--until DATE", "started on or before (a date covers that whole day)", "filters"},
                         {"--text WORDS", "in the name, spec, message or notes (case-insensitive)", "filters"},
                         {"--to ADDRESS", "push: the store the runs are copied into (a run already there, by its UUID, "
                                          "is not copied again)", "output"},
                         kJson, kDb}};
    list << CommandInfo{"export",
                        "ffint8 export (--runs IDS | --tag TAG | --suite NAME) [--format csv|md|latex|json]\n"
                        "              [--layout long|paper] [--time epochs|to-target] [--by-board] [--baseline ALGO] [--status S]\n"
                        "              [--out FILE] [--db PATH]",
                        "Writes a result table of recorded runs.", false, {},
                        {{"--runs IDS", "run ids and ranges, e.g. 3,5,8-12", "selection"},
                         {"--tag TAG", "the runs with this tag", "selection"},
                         {"--suite NAME", "the runs of this suite", "selection"},
                         {"--status S", "only runs with this status (default all)", "selection"},
                         {"--format csv|md|latex|json", "the table's format (default csv)", "output"},
                         {"--layout long|paper", "one row per run, or Table V's models by methods (default long)", "output"},
                         {"--by-board", "the paper layout: a row per model and board (a store several boards share)", "output"},
                         {"--time epochs|to-target",
                          "the paper layout's time: training time for all epochs (default), or up to the first epoch that "
                          "reached the runs' target accuracy (n/r where none did)", "output"},
                         {"--baseline ALGO", "the paper layout's ratios divide by this method (default bp-fp32)", "output"},
                         {"--out FILE", "write the table here (checked writable first) instead of stdout", "output"},
                         kDb}};
    list << CommandInfo{"backends", "ffint8 backends", "Says which compute backends this build and machine can run, and why not the others.",
                        false, {}, {}};
    list << CommandInfo{"telemetry", "ffint8 telemetry parse LOGFILE [--json] [--interval MS]\nffint8 telemetry probe [--json]",
                        "parse: a tegrastats log's samples, mean board power and energy; probe: which power and memory "
                        "sources this machine has, and why not the others.",
                        false, {},
                        {{"--interval MS", "parse: time between lines without timestamps (default 1000)", "telemetry"},
                         kJson}};
    list << CommandInfo{"model", "ffint8 model show PRESET|SPEC.json [--input CxHxW] [--classes N] [--layers W,W,...] [--json]",
                        "Prints a model's layers (name, type, output shape, parameters, MACs per image) and the totals, "
                        "as Keras' summary() does; PRESET is a preset's name (" + presetNames()
                            + "), SPEC.json an experiment's model (a preset's, or the one it describes layer by layer).",
                        false, {},
                        {{"--input CxHxW", "one example's shape (default: the spec's dataset's, else 1x28x28)", "model"},
                         {"--classes N", "the head's classes (default 10)", "model"},
                         {"--layers W,W,...", "the mlp preset's widths (default the spec's, else 784,1000,1000)", "model"},
                         {"--json", "one JSON object: parameters, macs, layers", "output"}}};
    list << CommandInfo{"data", "ffint8 data fetch mnist|fashion-mnist|cifar10 [--mirror URL] [--dir DIR]",
                        "Downloads a dataset's official files into DIR/NAME, where --dataset NAME finds them: "
                        "resumes a cut-off download from its .part file, verifies the published MD5 sums (a file "
                        "that does not match is removed) and unpacks CIFAR-10's archive.",
                        false, {},
                        {{"--mirror URL", "take the files from URL/FILE instead of the official site", "data"},
                         {"--dir DIR", "the data root (default $FFINT8_DATA, else $XDG_DATA_HOME/ffint8/datasets)", "data"}}};
    list << CommandInfo{"worker",
                        "ffint8 worker --db postgresql://USER@HOST:PORT/DBNAME [flags]",
                        "Trains the queued runs of a shared store on this board, one after the other, each recorded "
                        "in that store; sends a heartbeat while it trains, and queues again the runs of workers "
                        "whose heartbeats stopped.",
                        false, {},
                        QList<FlagLine>{{"--db ADDRESS", "the store with the queue (a PostgreSQL database, or an SQLite file "
                                                         "shared by the workers of one machine)", "queue"},
                                        {"--board NAME", "recorded with each run (default: the host name)", "queue"},
                                        {"--max-runs N", "stop after N runs", "queue"},
                                        {"--exit-when-empty", "stop when no run is queued for this board and none is claimed", "queue"},
                                        {"--backends LIST", "what this board trains on (default: every backend available here)", "queue"},
                                        {"--heartbeat S", "seconds between heartbeats (default 5)", "queue"},
                                        {"--stale-after S", "a claim without a heartbeat for S seconds is queued again, its run "
                                                            "marked interrupted (default 60)", "queue"},
                                        {"--poll S", "seconds between looks at an empty queue (default 2)", "queue"},
                                        kJson}
                            + kTelemetryFlags + QList<FlagLine>{kReplaySpeed}};
    list << CommandInfo{"queue",
                        "ffint8 queue list [--suite NAME] [--json] [--db PATH]\n"
                        "ffint8 queue remove ID [--db PATH]",
                        "Shows a store's work queue (each run's state, the worker that claimed it and its run), or "
                        "takes out a run no board has claimed yet.",
                        false, {},
                        QList<FlagLine>{{"--suite NAME", "the runs of this suite", "queue"}, kJson, kDb}};
    list << CommandInfo{"help", "ffint8 help [COMMAND]", "Every command, or one command's flags.", false, {}, {}};
    return list;
}

QString flagLine(const QString &flag, const QString &meaning)
{
    const QString padded = flag.size() + 6 <= kFlagColumn ? QStringLiteral("    %1").arg(flag, -(kFlagColumn - 4))
                                                         : QStringLiteral("    %1  ").arg(flag);
    return padded + meaning + '\n';
}

} // namespace

QString commandUsage(const QString &command)
{
    for (const CommandInfo &c : commands()) {
        if (c.name != command)
            continue;
        QString text = "usage: " + QString(c.synopsis).replace('\n', "\n       ") + "\n\n" + c.summary + "\n";
        QList<FlagLine> lines;
        if (c.settings) {
            for (const Setting &s : settingsTable())
                if (c.onlySettings.isEmpty() || c.onlySettings.contains(s.path))
                    lines << FlagLine{s.flag + ' ' + valueOf(s), QStringLiteral("%1 [default %2]").arg(s.help, defaultTextOf(s)), groupOf(s)};
        }
        lines += c.flags;
        // The known groups in their order, then any other a command names: no flag goes unlisted.
        QStringList groups = kGroupOrder;
        for (const FlagLine &line : lines)
            if (!groups.contains(line.group))
                groups << line.group;
        for (const QString &group : groups) {
            QString block;
            for (const FlagLine &line : lines)
                if (line.group == group)
                    block += flagLine(line.flag, line.meaning);
            if (!block.isEmpty())
                text += '\n' + group + '\n' + block;
        }
        text += QStringLiteral("\n    -h, --help%1this text\n").arg(QString(kFlagColumn - 14, ' '));
        return text;
    }
    return {};
}

bool asksForHelp(const QStringList &args)
{
    for (const QString &arg : args) {
        if (arg == "--")
            return false;
        if (arg == "-h" || arg == "--help")
            return true;
    }
    return false;
}

} // namespace ffint8
