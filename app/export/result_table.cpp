// The long table and the paper's layout from stored runs.
#include "app/export/result_table.h"

#include "app/compare/run_model.h"
#include "app/export/method_columns.h"
#include "app/export/table_writer.h"
#include "app/store/run_store.h"
#include "app/store/store_error.h"

#include <QMap>

#include <algorithm>

#include <cmath>

namespace ffint8 {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

QVariant real(double v) { return std::isfinite(v) ? QVariant(v) : QVariant(); }
QVariant percentOf(double fraction) { return std::isfinite(fraction) ? QVariant(fraction * 100.0) : QVariant(); }
QVariant mibOf(qint64 bytes) { return bytes > 0 ? QVariant(double(bytes) / kMiB) : QVariant(); }

struct StoredRun
{
    RunRecord record;
    QMap<QString, QString> params;
    QStringList tags;
    QString trained; // runModel(): "resnet-18", "mlp 784-1000-1000", or empty where its spec does not read
    QString column;  // the paper layout's column: method() and the settings that set it apart (method_columns.h)

    QString param(const QString &key) const { return params.value(key); }
    bool hasTarget() const { return std::isfinite(record.targetAccuracy); }
    bool reachedTarget() const { return hasTarget() && record.targetEpoch > 0; }
    // "MLP 784-1000-1000", "resnet-18": a model graph by the name it trained under (a preset's, or a
    // described model's).
    QString modelName() const
    {
        if (!trained.isEmpty() && !trained.startsWith(QStringLiteral("mlp ")))
            return trained;
        const QString layers = param("model.layers");
        return QStringLiteral("MLP %1").arg(layers.isEmpty() ? QStringLiteral("?") : QString(layers).replace(',', '-'));
    }
    // "resnet-18 (cifar10)": the model as Table V's rows name it, with its data.
    QString model() const { return QStringLiteral("%1 (%2)").arg(modelName(), record.dataset); }
    // "resnet-18 on orin-nx (cifar10)": a row of the paper layout by board.
    QString modelOnBoard() const
    {
        return QStringLiteral("%1 on %2 (%3)").arg(modelName(), record.board.isEmpty() ? QStringLiteral("?") : record.board,
                                                   record.dataset);
    }
    // The method a column stands for: the algorithm, and FF with the class-groups loss or without
    // look-ahead apart (runs stored before ff.loss existed trained with the threshold loss).
    QString method() const
    {
        QString m = record.algorithm;
        if (!m.startsWith("ff-"))
            return m;
        if (param("ff.loss") == "class-groups")
            m += " class-groups";
        if (param("ff.lookahead.enabled") == "off")
            m += " no-lookahead";
        return m;
    }
};

QList<StoredRun> load(RunStore &store, const QList<qint64> &ids)
{
    QList<StoredRun> runs;
    for (qint64 id : ids) {
        const std::optional<RunRecord> record = store.run(id);
        if (!record)
            throw StoreError(QStringLiteral("there is no run %1 in the run store").arg(id));
        StoredRun run{*record, {}, store.tags(id), runModel(*record).name, {}};
        for (const auto &[key, value] : store.params(id))
            run.params.insert(key, value);
        runs << run;
    }
    return runs;
}

const QString kNotReached = QStringLiteral("n/r");

bool isTextFormat(TableFormat format) { return format == TableFormat::Markdown || format == TableFormat::Latex; }

Table longTable(const QList<StoredRun> &runs, TableFormat format)
{
    Table t;
    t.header = {"id", "name", "suite", "status", "method", "dataset", "model", "backend", "board", "seed", "epochs", "batch",
                "optimizer", "lr", "test_acc_pct", "val_acc_pct", "train_s", "s_per_epoch", "target_acc_pct",
                "target_epoch", "target_s", "energy_j", "peak_engine_mib", "peak_rss_mib", "started_at", "tags"};
    t.decimals = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 2, 2, 1, 2, 2, 0, 1, 1, 1, 1, 0, 0};
    bool anyNotReached = false;
    for (const StoredRun &r : runs) {
        const RunRecord &x = r.record;
        const double perEpoch = x.epochsDone > 0 ? x.trainSeconds / x.epochsDone : NAN;
        // A run that had a target and never reached it says so in the text formats; CSV and JSON
        // leave the cells empty (null), as for any figure there is not.
        const bool notReached = r.hasTarget() && !r.reachedTarget();
        anyNotReached = anyNotReached || notReached;
        const QVariant none = notReached && isTextFormat(format) ? QVariant(kNotReached) : QVariant();
        t.rows << QVariantList{x.id, x.name, x.suite, x.status, r.method(), x.dataset, r.modelName(),
                               x.backend, x.board, x.seed, x.epochsDone, r.param("training.batch").toInt(), r.param("training.optimizer"),
                               r.param("training.lr").toDouble(), percentOf(x.testAccuracy), percentOf(x.validationAccuracy),
                               real(x.trainSeconds), real(perEpoch), percentOf(x.targetAccuracy),
                               r.reachedTarget() ? QVariant(x.targetEpoch) : none,
                               r.reachedTarget() ? real(x.targetSeconds) : none, real(x.energyJoules),
                               mibOf(x.peakEngineBytes), mibOf(x.peakRssBytes), x.startedAt, r.tags.join(' ')};
    }
    if (anyNotReached && isTextFormat(format))
        t.notes << QStringLiteral("n/r: the run's test accuracy did not reach its target_acc_pct in the epochs it trained. "
                                  "target_s: training seconds up to the end of the first epoch that reached it (no evaluation).");
    return t;
}

// Mean and sample standard deviation of the finite values; NaN where there are none.
struct Stat
{
    double mean = NAN;
    double sd = NAN;
    int n = 0;
};

Stat statOf(const QList<double> &values)
{
    Stat s;
    double sum = 0.0;
    for (double v : values)
        if (std::isfinite(v)) {
            sum += v;
            ++s.n;
        }
    if (s.n == 0)
        return s;
    s.mean = sum / s.n;
    if (s.n > 1) {
        double squares = 0.0;
        for (double v : values)
            if (std::isfinite(v))
                squares += (v - s.mean) * (v - s.mean);
        s.sd = std::sqrt(squares / (s.n - 1));
    }
    return s;
}

struct Cell
{
    int runs = 0;
    Stat accuracy, seconds, joules, mib; // accuracy in %, memory in MiB
    Stat toTarget;   // over the runs that reached their target
    int targeted = 0; // runs with a target
    QList<double> targets; // the targets in %, each once
};

// The columns in the order of Table V's methods, then any other method in the order first seen;
// the columns of one method in the order first seen.
QStringList columnOrder(const QList<StoredRun> &runs)
{
    QStringList methods;
    for (const char *m : {"bp-fp32", "bp-int8", "bp-ui8", "ff-fp32", "ff-int8", "ff-fp32 class-groups",
                          "ff-int8 class-groups", "ff-fp32 no-lookahead", "ff-int8 no-lookahead"})
        methods << QString::fromLatin1(m);
    for (const StoredRun &r : runs)
        if (!methods.contains(r.method()))
            methods << r.method();
    QStringList order;
    for (const QString &method : methods)
        for (const StoredRun &r : runs)
            if (r.method() == method && !order.contains(r.column))
                order << r.column;
    return order;
}

QString withSd(const Stat &s, int decimals)
{
    if (s.n == 0)
        return QStringLiteral("\u2014");
    QString text = QString::number(s.mean, 'f', decimals);
    if (s.n > 1)
        text += QStringLiteral("\u00B1") + QString::number(s.sd, 'f', decimals);
    return text;
}

QString ratio(const Stat &value, const Stat &base)
{
    return value.n && base.n && base.mean > 0 ? QString::number(value.mean / base.mean, 'f', 2) + QStringLiteral("\u00D7")
                                             : QStringLiteral("\u2014");
}

// The paper layout's time of a cell in the text formats: training time, or time to the target with
// "n/r" where no run reached it and "(k/n)" where only k of the n runs with a target did.
QString timeText(const Cell &c, TableTime time)
{
    if (time == TableTime::Epochs)
        return withSd(c.seconds, 1);
    if (c.targeted == 0)
        return QStringLiteral("\u2014");
    if (c.toTarget.n == 0)
        return kNotReached;
    QString text = withSd(c.toTarget, 1);
    if (c.toTarget.n < c.targeted)
        text += QStringLiteral(" (%1/%2)").arg(c.toTarget.n).arg(c.targeted);
    return text;
}

QString percentText(double percent) { return QString::number(percent, 'g', 6) + " %"; }

// Whether a run's figures belong in the paper layout: it trained all its epochs, or diverged (a
// method's collapse is its result). A cancelled, failed or interrupted run, or one still running,
// has the figures of part of a run.
bool finished(const StoredRun &r)
{
    return r.record.status == QLatin1String("completed") || r.record.status == QLatin1String("diverged");
}

// `leftOut` gets the runs that did not finish, as "12 (cancelled)".
Table paperTable(const QList<StoredRun> &given, const TableOptions &options, QStringList &leftOut)
{
    const bool toTarget = options.time == TableTime::ToTarget;
    auto rowOf = [&](const StoredRun &r) { return options.boardRows ? r.modelOnBoard() : r.model(); };
    QList<StoredRun> runs;
    for (const StoredRun &r : given) {
        if (finished(r))
            runs << r;
        else
            leftOut << QStringLiteral("%1 (%2)").arg(r.record.id).arg(r.record.status);
    }
    QList<ColumnRun> columnRuns;
    for (const StoredRun &r : runs)
        columnRuns << ColumnRun{rowOf(r), r.method(), r.params};
    const MethodColumns columns = methodColumns(columnRuns);
    for (int i = 0; i < runs.size(); ++i)
        runs[i].column = columns.labels[i];
    QStringList models;
    for (const StoredRun &r : runs)
        if (!models.contains(rowOf(r)))
            models << rowOf(r);
    const QStringList methods = columnOrder(runs);
    // The ratios' column: the baseline method's, with its most common settings where they split it
    // (else its first column).
    QString baseline = options.baseline;
    if (!methods.contains(baseline))
        for (const QString &column : methods)
            if (column.startsWith(options.baseline + QStringLiteral(" ("))) {
                baseline = column;
                break;
            }
    QMap<QPair<QString, QString>, Cell> cells;
    for (const QString &model : models)
        for (const QString &method : methods) {
            QList<double> acc, secs, joules, mib, target;
            int n = 0, targeted = 0;
            QList<double> targets;
            for (const StoredRun &r : runs)
                if (rowOf(r) == model && r.column == method) {
                    ++n;
                    acc << r.record.testAccuracy * 100.0;
                    secs << r.record.trainSeconds;
                    joules << r.record.energyJoules;
                    mib << (r.record.peakEngineBytes > 0 ? double(r.record.peakEngineBytes) / kMiB : NAN);
                    if (r.hasTarget()) {
                        ++targeted;
                        if (!targets.contains(r.record.targetAccuracy * 100.0))
                            targets << r.record.targetAccuracy * 100.0;
                        if (r.reachedTarget())
                            target << r.record.targetSeconds;
                    }
                }
            if (n)
                cells.insert({model, method}, Cell{n, statOf(acc), statOf(secs), statOf(joules), statOf(mib), statOf(target),
                                                   targeted, targets});
        }

    // Every target of the table, each once, for the caption: one column of times should mean one
    // target, and a table that mixes them says so.
    QList<double> targets;
    for (const Cell &c : cells)
        for (double target : c.targets)
            if (!targets.contains(target))
                targets << target;
    std::sort(targets.begin(), targets.end());
    QStringList targetTexts;
    for (double target : targets)
        targetTexts << percentText(target);
    const QString timeCaption = !toTarget ? QStringLiteral("training time s")
                                : targets.size() == 1
                                    ? QStringLiteral("training time to %1 test accuracy s").arg(targetTexts.first())
                                    : QStringLiteral("training time to each run's target test accuracy s");

    Table t;
    const bool text = isTextFormat(options.format);
    if (text) {
        t.caption = QStringLiteral("accuracy % / %1 / energy J / peak engine memory MiB; mean\u00B1sd over seeds; "
                                   "ratios to %2").arg(timeCaption, baseline);
        t.header << "model";
        for (const QString &m : methods)
            t.header << m;
        for (const QString &model : models) {
            QVariantList row{model}, ratios{QStringLiteral("%1 vs %2").arg(model.section(" (", 0, 0), baseline)};
            const Cell base = cells.value({model, baseline});
            for (const QString &method : methods) {
                if (!cells.contains({model, method})) {
                    row << QString();
                    ratios << QString();
                    continue;
                }
                const Cell c = cells.value({model, method});
                row << QStringLiteral("%1 / %2 / %3 / %4").arg(withSd(c.accuracy, 2), timeText(c, options.time), withSd(c.joules, 1), withSd(c.mib, 1));
                const QString delta = c.accuracy.n && base.accuracy.n
                                          ? QString::asprintf("%+.2f pt", c.accuracy.mean - base.accuracy.mean)
                                          : QStringLiteral("\u2014");
                const QString timeRatio = toTarget ? ratio(c.toTarget, base.toTarget) : ratio(c.seconds, base.seconds);
                ratios << QStringLiteral("%1 / %2 / %3 / %4").arg(delta, timeRatio, ratio(c.joules, base.joules), ratio(c.mib, base.mib));
            }
            t.rows << row;
            if (base.runs)
                t.rows << ratios;
        }
        int seeds = 0;
        for (const Cell &c : cells)
            seeds = std::max(seeds, c.runs);
        t.notes << QStringLiteral("%1 runs; up to %2 per cell. \u2014: no figure (no power source, or no run%3).")
                       .arg(runs.size()).arg(seeds).arg(toTarget ? QStringLiteral(" with a target accuracy") : QString());
        if (!columns.commonSettings.isEmpty())
            t.notes << QStringLiteral("A column named by its method alone holds the method's most common settings; "
                                      "the others name where they differ. %1.")
                           .arg(columns.commonSettings.join(QStringLiteral("; ")));
        if (!leftOut.isEmpty())
            t.notes << QStringLiteral("Left out, not finished: run %1.").arg(leftOut.join(QStringLiteral(", run ")));
        if (toTarget) {
            t.notes << QStringLiteral("Time to target: training seconds up to the end of the first epoch whose test accuracy "
                                      "reached the run's target, evaluation excluded; accuracy and energy are over all epochs. "
                                      "n/r: not reached, no run of the cell reached its target in the epochs it trained; "
                                      "(k/n): k of the cell's n runs with a target reached it, the time is theirs.");
            if (targets.size() > 1)
                t.notes << QStringLiteral("The runs' targets differ: %1.").arg(targetTexts.join(", "));
        }
        return t;
    }
    // CSV and JSON: one row per model, four figures per method with their spread and ratios, as numbers.
    // The time to target leaves a cell empty (null) where no run reached it; target_reached counts
    // the runs that did, out of `runs`.
    const QStringList timeColumns = toTarget ? QStringList{"target_reached", "target_s", "target_s_sd"}
                                             : QStringList{"train_s", "train_s_sd"};
    t.header << "model";
    for (const QString &m : methods) {
        t.header << m + " runs" << m + " acc_pct" << m + " acc_sd";
        for (const QString &column : timeColumns)
            t.header << m + ' ' + column;
        for (const char *column : {"energy_j", "energy_j_sd", "memory_mib", "memory_mib_sd", "acc_delta_pt", "time_ratio",
                                   "energy_ratio", "memory_ratio"})
            t.header << m + ' ' + column;
    }
    for (const QString &model : models) {
        QVariantList row{model};
        const Cell base = cells.value({model, baseline});
        auto over = [](const Stat &v, const Stat &b) { return v.n && b.n && b.mean > 0 ? QVariant(v.mean / b.mean) : QVariant(); };
        for (const QString &method : methods) {
            const Cell c = cells.value({model, method});
            row << c.runs << real(c.accuracy.mean) << real(c.accuracy.sd);
            if (toTarget)
                row << (c.targeted ? QVariant(c.toTarget.n) : QVariant()) << real(c.toTarget.mean) << real(c.toTarget.sd);
            else
                row << real(c.seconds.mean) << real(c.seconds.sd);
            row << real(c.joules.mean) << real(c.joules.sd) << real(c.mib.mean) << real(c.mib.sd)
                << (c.accuracy.n && base.accuracy.n ? QVariant(c.accuracy.mean - base.accuracy.mean) : QVariant())
                << (toTarget ? over(c.toTarget, base.toTarget) : over(c.seconds, base.seconds)) << over(c.joules, base.joules)
                << over(c.mib, base.mib);
        }
        t.rows << row;
    }
    return t;
}

} // namespace

bool tableFormatFromName(const QString &name, TableFormat &out)
{
    const QString n = name.toLower();
    if (n == "csv")
        out = TableFormat::Csv;
    else if (n == "md" || n == "markdown")
        out = TableFormat::Markdown;
    else if (n == "latex" || n == "tex")
        out = TableFormat::Latex;
    else if (n == "json")
        out = TableFormat::Json;
    else
        return false;
    return true;
}

bool tableTimeFromName(const QString &name, TableTime &out)
{
    if (name == QLatin1String("epochs"))
        out = TableTime::Epochs;
    else if (name == QLatin1String("to-target"))
        out = TableTime::ToTarget;
    else
        return false;
    return true;
}

QString tableFormatSuffix(TableFormat format)
{
    switch (format) {
    case TableFormat::Csv: return "csv";
    case TableFormat::Markdown: return "md";
    case TableFormat::Latex: return "tex";
    case TableFormat::Json: return "json";
    }
    return {};
}

QString exportTable(RunStore &store, const QList<qint64> &runIds, const TableOptions &options, QStringList *leftOut)
{
    const QList<StoredRun> runs = load(store, runIds);
    QStringList unfinished;
    const QString text = renderTable(options.layout == TableLayout::Paper ? paperTable(runs, options, unfinished)
                                                                          : longTable(runs, options.format),
                                     options.format);
    if (leftOut)
        *leftOut = unfinished;
    return text;
}

} // namespace ffint8
