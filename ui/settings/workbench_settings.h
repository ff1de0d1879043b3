// The workbench's settings (QSettings): which run store it opens, where datasets are looked for
// first, and the power source that overrides each experiment's own. Window state is kept apart,
// by the main window.
#pragma once

#include <QString>

namespace ffint8 {

struct WorkbenchSettings
{
    QString databasePath; // empty: the default store (RunStore::defaultPath())
    QString datasetFolder; // searched before the standard folders; empty: none
    QString telemetrySource; // empty: each experiment's own choice; else auto, tegrastats, ...
    int telemetryIntervalMs = 0; // 0: each experiment's own

    static WorkbenchSettings load();
    void save() const;
    // The store to open: the setting, else the default.
    QString effectiveDatabasePath() const;
    // Makes the dataset folder the engine's first search path (FFINT8_DATA) for runs started from now.
    void applyDatasetFolder() const;
};

} // namespace ffint8
