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
    if (!method.contains(QLatin1String("int8")) && !method.contains(QLatin1String("ui8")) && path.startsWith(QLatin1String("int8.")))
        return false;
    if (!method.startsWith(QLatin1String("bp-ui8")) && path.startsWith(QLatin1String("ui8.")))
        return false;
    return true;
}

} // namespace

QStringList methodColumns(const QList<ColumnRun> &runs)
{
    // The settings that split each method: read by its runs and different within one row.
    QHash<QString, QSet<QString>> splitting;
    for (int i = 0; i < runs.size(); ++i)
        for (int j = i + 1; j < runs.size(); ++j) {
            const ColumnRun &a = runs[i], &b = runs[j];
            if (a.method != b.method || a.row != b.row)
                continue;
            for (auto it = a.params.cbegin(); it != a.params.cend(); ++it) {
                const auto other = b.params.constFind(it.key());
                if (other != b.params.cend() && other.value() != it.value() && readsSetting(a.method, a.params, it.key())
                    && readsSetting(b.method, b.params, it.key()))
                    splitting[a.method].insert(it.key());
            }
        }
    QStringList columns;
    for (const ColumnRun &run : runs) {
        QStringList keys = splitting.value(run.method).values();
        if (keys.isEmpty()) {
            columns << run.method;
            continue;
        }
        keys.sort();
        QStringList settings;
        for (const QString &key : keys)
            settings << key + '=' + run.params.value(key, QStringLiteral("?"));
        columns << QStringLiteral("%1 (%2)").arg(run.method, settings.join(QStringLiteral(", ")));
    }
    return columns;
}

} // namespace ffint8
