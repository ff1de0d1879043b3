// The settings dialog's form.
#include "ui/settings/settings_dialog.h"

#include "app/store/run_store.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace ffint8 {

namespace {

// A line edit with a "Browse..." button beside it.
QWidget *withBrowse(QLineEdit *edit, const std::function<QString()> &browse)
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *button = new QPushButton(QObject::tr("Browse..."));
    layout->addWidget(edit, 1);
    layout->addWidget(button);
    QObject::connect(button, &QPushButton::clicked, edit, [edit, browse] {
        const QString chosen = browse();
        if (!chosen.isEmpty())
            edit->setText(chosen);
    });
    return row;
}

} // namespace

SettingsDialog::SettingsDialog(const WorkbenchSettings &settings, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Settings"));
    m_database = new QLineEdit(settings.databasePath);
    m_database->setObjectName(QStringLiteral("databasePath"));
    m_database->setPlaceholderText(RunStore::defaultPath());
    m_database->setToolTip(tr("An SQLite file, or a store shared by several boards: postgresql://USER@HOST:PORT/DBNAME "
                              "(the password comes from PGPASSWORD or ~/.pgpass, never from here)"));
    m_datasets = new QLineEdit(settings.datasetFolder);
    m_datasets->setObjectName(QStringLiteral("datasetFolder"));
    m_datasets->setPlaceholderText(
        tr("the standard folders only (~/.local/share/ffint8/datasets, /usr/share/datasets)"));
    m_telemetry = new QComboBox;
    m_telemetry->setObjectName(QStringLiteral("telemetrySource"));
    m_telemetry->addItem(tr("each experiment's own"), QString());
    for (const char *source : {"auto", "tegrastats", "ina3221", "nvml", "rapl", "none"})
        m_telemetry->addItem(QString::fromLatin1(source), QString::fromLatin1(source));
    m_telemetry->setCurrentIndex(qMax(0, m_telemetry->findData(settings.telemetrySource)));
    m_interval = new QSpinBox;
    m_interval->setObjectName(QStringLiteral("telemetryInterval"));
    m_interval->setRange(0, 60000);
    m_interval->setSuffix(QStringLiteral(" ms"));
    m_interval->setSpecialValueText(tr("each experiment's own"));
    m_interval->setValue(settings.telemetryIntervalMs);

    auto *form = new QFormLayout;
    form->addRow(tr("Run store"), withBrowse(m_database, [this] {
                     return QFileDialog::getSaveFileName(this, tr("Run store"), m_database->text(),
                                                         tr("SQLite databases (*.sqlite *.db);;All files (*)"), nullptr,
                                                         QFileDialog::DontConfirmOverwrite);
                 }));
    form->addRow(tr("Dataset folder"), withBrowse(m_datasets, [this] {
                     return QFileDialog::getExistingDirectory(this, tr("Dataset folder"), m_datasets->text());
                 }));
    form->addRow(tr("Power source"), m_telemetry);
    form->addRow(tr("Sampling interval"), m_interval);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

WorkbenchSettings SettingsDialog::settings() const
{
    WorkbenchSettings s;
    s.databasePath = m_database->text().trimmed();
    s.datasetFolder = m_datasets->text().trimmed();
    s.telemetrySource = m_telemetry->currentData().toString();
    s.telemetryIntervalMs = m_interval->value();
    return s;
}

} // namespace ffint8
