// Loading and saving the workbench's settings.
#include "ui/settings/workbench_settings.h"

#include "app/store/run_store.h"

#include <QSettings>

namespace ffint8 {

namespace {
// FFINT8_DATA as the workbench found it, so clearing the setting restores the user's environment.
const QByteArray kInheritedDataFolder = qgetenv("FFINT8_DATA");
} // namespace

WorkbenchSettings WorkbenchSettings::load()
{
    QSettings s;
    WorkbenchSettings w;
    w.databasePath = s.value(QStringLiteral("store/path")).toString();
    w.datasetFolder = s.value(QStringLiteral("datasets/folder")).toString();
    w.telemetrySource = s.value(QStringLiteral("telemetry/source")).toString();
    w.telemetryIntervalMs = s.value(QStringLiteral("telemetry/interval_ms"), 0).toInt();
    return w;
}

void WorkbenchSettings::save() const
{
    QSettings s;
    s.setValue(QStringLiteral("store/path"), databasePath);
    s.setValue(QStringLiteral("datasets/folder"), datasetFolder);
    s.setValue(QStringLiteral("telemetry/source"), telemetrySource);
    s.setValue(QStringLiteral("telemetry/interval_ms"), telemetryIntervalMs);
}

QString WorkbenchSettings::effectiveDatabasePath() const
{
    return databasePath.isEmpty() ? RunStore::defaultPath() : databasePath;
}

void WorkbenchSettings::applyDatasetFolder() const
{
    if (datasetFolder.isEmpty()) {
        if (kInheritedDataFolder.isEmpty())
            qunsetenv("FFINT8_DATA");
        else
            qputenv("FFINT8_DATA", kInheritedDataFolder);
    } else {
        qputenv("FFINT8_DATA", datasetFolder.toLocal8Bit());
    }
}

} // namespace ffint8
