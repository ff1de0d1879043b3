// The paper layout's column of each run: its method and the settings that set it apart.
#include "app/export/method_columns.h"

#include <QHash>
#include <QSet>

namespace ffint8 {

namespace {

// Whether a run of `method` reads the setting at `path`, so that a difference in it is a different
// experiment. The seed is what a cell averages over; the model and dataset are the row's; FF's loss
// and look-ahead's switch are already in the method's name.
bool readsSetting(const QString &method, const QMap<QString, QString> &params, const QString &path)
{
    if (path == QLatin1String("training.seed") || path.startsWith(QLatin1String("model."))
        || path == QLatin1String("dataset.name") || path == QLatin1String("ff.loss")
        || path == QLatin1String("ff.lookahead.enabled"))
        return false;
    const bool ff = method.startsWith(QLatin1String("ff-"));
    if (!ff && path.startsWith(QLatin1String("ff.")))
        return false;
    if (path.startsWith(QLatin1String("ff.lookahead.")) && params.value(QStringLiteral("ff.lookahead.enabled")) == QLatin1String("off"))
        return false;
    if (method.contains(QLatin1String("fp32")) && path.startsWith(QLatin1String("int8.")))
        return false;
    if (!method.startsWith(QLatin1String("bp-ui8")) && path.startsWith(QLatin1String("ui8.")))
        return false;
    return true;
}

} // namespace

MethodColumns methodColumns(const QList<ColumnRun> &runs)
{
    // The settings that split each method: read by its runs and different within one row. Each
    // (row, method) group remembers the first value it met of every setting it reads.
    QHash<QString, QSet<QString>> splitting;
    QHash<QPair<QString, QString>, QMap<QString, QString>> firstValues;
    for (const ColumnRun &run : runs) {
        QMap<QString, QString> &first = firstValues[{run.row, run.method}];
        for (auto it = run.params.cbegin(); it != run.params.cend(); ++it) {
            if (!readsSetting(run.method, run.params, it.key()))
                continue;
            const auto seen = first.constFind(it.key());
            if (seen == first.cend())
                first.insert(it.key(), it.value());
            else if (seen.value() != it.value())
                splitting[run.method].insert(it.key());
        }
    }
    const QString unknown = QStringLiteral("?"); // a run stored before the setting existed
    // Each split method's most common value of each splitting setting, over all its rows.
    QMap<QString, QMap<QString, QString>> common; // method -> setting -> value
    for (auto split = splitting.cbegin(); split != splitting.cend(); ++split)
        for (const QString &key : split.value()) {
            QStringList order; // values in the order first seen, for the tie-break
            QHash<QString, int> count;
            for (const ColumnRun &run : runs)
                if (run.method == split.key()) {
                    const QString value = run.params.value(key, unknown);
                    if (!count.contains(value))
                        order << value;
                    ++count[value];
                }
            QString best = order.first();
            for (const QString &value : order)
                if (count.value(value) > count.value(best))
                    best = value;
            common[split.key()][key] = best;
        }
    MethodColumns result;
    for (const ColumnRun &run : runs) {
        QStringList differences;
        const QMap<QString, QString> usual = common.value(run.method);
        for (auto it = usual.cbegin(); it != usual.cend(); ++it) {
            const QString value = run.params.value(it.key(), unknown);
            if (value != it.value())
                differences << it.key() + '=' + value;
        }
        result.labels << (differences.isEmpty() ? run.method
                                                : QStringLiteral("%1 (%2)").arg(run.method, differences.join(QStringLiteral(", "))));
    }
    for (auto method = common.cbegin(); method != common.cend(); ++method) {
        QStringList settings;
        for (auto it = method.value().cbegin(); it != method.value().cend(); ++it)
            settings << it.key() + '=' + it.value();
        result.commonSettings << QStringLiteral("%1: %2").arg(method.key(), settings.join(QStringLiteral(", ")));
    }
    return result;
}

} // namespace ffint8
