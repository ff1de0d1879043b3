// The experiment form: every run setting of the settings table as a field, grouped as in a spec,
// filled from presets or spec files, checked as the user types, and saved back as a spec. The table
// (app/spec/settings_table.h) is the one the command line and spec files use, so the form accepts
// exactly what they accept and says why in the same words.
#pragma once

#include "app/spec/experiment_spec.h"
#include "app/spec/suite.h"

#include <QHash>
#include <QWidget>
#include <optional>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace ffint8 {

struct Setting;

class LauncherForm : public QWidget
{
    Q_OBJECT
public:
    explicit LauncherForm(QWidget *parent = nullptr);

    // Fills every field from a spec (the fields it does not set show the defaults).
    void setSpec(const ExperimentSpec &spec);
    // A built-in preset (experiments/NAME.json) or a spec file; false with the parser's message.
    // A suite (a built-in one, or a file) fills the form with its first run and emits suiteLoaded.
    bool loadPreset(const QString &name, QString *error);
    bool loadFile(const QString &path, QString *error);

    // The experiment the fields describe, or nothing: then `errors` lists each problem as
    // "field: reason" and the fields at fault show theirs.
    std::optional<ExperimentSpec> spec(QStringList *errors = nullptr);
    // Writes the spec (every setting written out) as a versioned spec file.
    bool saveSpec(const QString &path, QString *error);

    // The editor of a setting ("training.lr"), "name", "telemetry.source" or "telemetry.interval_ms":
    // a QLineEdit, QComboBox, QCheckBox or QSpinBox, with that path as its object name.
    QWidget *field(const QString &path) const;
    // Sets a field as a user would (text for line edits and combos, "on"/"off" for switches).
    void setFieldText(const QString &path, const QString &text);
    QStringList presetNames() const; // experiments and suites

    bool isValid() const { return m_invalid.isEmpty(); }

    // The settings that decide the model and its input (algorithm, model.*, dataset.name and
    // pad_to, ff.unit, ff.label_embedding, and a described model) as a configuration for its
    // summary; nothing, with "field: reason" in `problem`, while one of them is in error.
    std::optional<TrainConfig> modelConfig(QString *problem = nullptr) const;

signals:
    // After any edit: whether every field holds a valid value.
    void validityChanged(bool valid);
    // A suite was opened (from a file or the presets): its runs, for the launcher to queue.
    void suiteLoaded(const ffint8::Suite &suite);
    // One of modelConfig()'s settings changed (a user's edit, a spec or preset loaded).
    void modelChanged();

private:
    struct Field
    {
        const Setting *setting = nullptr;
        QWidget *editor = nullptr;
        QLabel *error = nullptr;
    };

    QWidget *buildGroups();
    void enableGroupsFor(const QString &algorithm);
    QWidget *editorFor(const Setting &setting);
    QString textOf(const Field &field) const;
    void checkField(const QString &path);
    void followLearningRate(const QString &algorithm);
    void showError(const QString &path, const QString &message);

    QComboBox *m_presets = nullptr;
    QLineEdit *m_name = nullptr;
    QString m_description;
    QComboBox *m_telemetry = nullptr;
    QSpinBox *m_interval = nullptr;
    QHash<QString, Field> m_fields;
    QHash<QString, QGroupBox *> m_groups; // by spec group ("ff", "int8", ...)
    QStringList m_order; // setting paths in the table's order
    QStringList m_invalid;
    bool m_filling = false;
    // The learning rate follows the algorithm's default until the user types one (or a spec brings
    // one of its own); the note beside the field says which happened.
    bool m_learningRateEdited = false;
    QString m_algorithm;
    QLabel *m_learningRateNote = nullptr;
    // The model the last spec described layer by layer (no field edits one): the model field shows
    // its name, and the spec built from the fields keeps it while the field still names it.
    std::shared_ptr<const ModelSpec> m_customModel;
};

} // namespace ffint8
