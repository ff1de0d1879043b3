// The settings dialog: run store, dataset folder, telemetry source and interval.
#pragma once

#include "ui/settings/workbench_settings.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ffint8 {

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(const WorkbenchSettings &settings, QWidget *parent = nullptr);
    WorkbenchSettings settings() const;

private:
    QLineEdit *m_database = nullptr;
    QLineEdit *m_datasets = nullptr;
    QComboBox *m_telemetry = nullptr;
    QSpinBox *m_interval = nullptr;
};

} // namespace ffint8
