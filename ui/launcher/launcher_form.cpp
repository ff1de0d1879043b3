// The experiment form: fields built from the settings table, validated by the table's own setters.
#include "ui/launcher/launcher_form.h"

#include "app/cli/command_line.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "engine/core/error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QSaveFile>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ffint8 {

namespace {

const QString kPresetFolder = QStringLiteral(":/experiments");

// Spec groups as the user reads them; settings outside these fall into "Other".
const QList<QPair<QString, QString>> kGroupTitles = {
    {QString(), QStringLiteral("Experiment")},
    {QStringLiteral("model"), QStringLiteral("Model")},
    {QStringLiteral("dataset"), QStringLiteral("Dataset")},
    {QStringLiteral("training"), QStringLiteral("Training")},
    {QStringLiteral("ff"), QStringLiteral("Forward-Forward")},
    {QStringLiteral("ff.lookahead"), QStringLiteral("Look-ahead (lambda schedule)")},
    {QStringLiteral("int8"), QStringLiteral("INT8")},
    {QStringLiteral("ui8"), QStringLiteral("BP-UI8")},
    {QStringLiteral("backend"), QStringLiteral("Backend")},
    {QStringLiteral("evaluation"), QStringLiteral("Evaluation")},
    {QStringLiteral("telemetry"), QStringLiteral("Telemetry")},
};

// The settings a model's summary depends on: which model, the shape of its input, and how FF cuts
// it into units. The algorithm is among them because the summary says whether FF units apply.
const QStringList kModelPaths = {QStringLiteral("algorithm"),     QStringLiteral("model.layers"),
                                 QStringLiteral("model.preset"),  QStringLiteral("dataset.name"),
                                 QStringLiteral("dataset.pad_to"), QStringLiteral("ff.unit"),
                                 QStringLiteral("ff.label_embedding"), QStringLiteral("ff.loss")};

// A field's tool tip: its spec path, its command-line flag and what it does.
QString toolTipOf(const Setting &s) { return QStringLiteral("%1 (%2): %3").arg(s.path, s.flag, s.help); }

QString groupOf(const QString &path)
{
    return path.contains('.') ? path.section('.', 0, -2) : QString();
}

// The label of a setting: its last path component in words ("per_epoch" -> "per epoch").
QString labelOf(const QString &path)
{
    QString last = path.section('.', -1);
    last.replace('_', ' ');
    return last;
}

} // namespace

LauncherForm::LauncherForm(QWidget *parent) : QWidget(parent)
{
    auto *top = new QHBoxLayout;
    m_presets = new QComboBox;
    m_presets->setObjectName(QStringLiteral("presets"));
    m_presets->addItems(presetNames());
    m_presets->setToolTip(tr("Experiments and suites shipped in experiments/: choosing one fills the form; a "
                             "suite offers to queue all its runs"));
    top->addWidget(new QLabel(tr("Preset")));
    top->addWidget(m_presets, 1);
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(tr("run name"));
    top->addWidget(new QLabel(tr("Name")));
    top->addWidget(m_name, 2);

    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(buildGroups());

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(scroll, 1);

    connect(m_presets, &QComboBox::textActivated, this, [this](const QString &name) {
        QString error;
        if (!loadPreset(name, &error))
            showError(QStringLiteral("name"), error);
    });
    ExperimentSpec defaults;
    if (!loadPreset(QStringLiteral("quick"), nullptr))
        setSpec(defaults);
}

QWidget *LauncherForm::buildGroups()
{
    QHash<QString, QFormLayout *> forms;
    auto *page = new QWidget;
    auto *columns = new QHBoxLayout(page);
    QVBoxLayout *column[2] = {new QVBoxLayout, new QVBoxLayout};
    columns->addLayout(column[0], 1);
    columns->addLayout(column[1], 1);
    int placed = 0;
    auto formFor = [&](const QString &group) {
        if (QFormLayout *f = forms.value(group))
            return f;
        QString title = QStringLiteral("Other");
        for (const auto &[key, text] : kGroupTitles)
            if (key == group)
                title = text;
        auto *box = new QGroupBox(title);
        box->setObjectName(QStringLiteral("group.") + group);
        m_groups.insert(group, box);
        auto *form = new QFormLayout(box);
        form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
        // Groups alternate between two columns so the whole form fits a laptop screen.
        column[placed++ % 2]->addWidget(box);
        forms.insert(group, form);
        return form;
    };

    for (const Setting &s : settingsTable()) {
        Field field;
        field.setting = &s;
        field.editor = editorFor(s);
        field.editor->setObjectName(s.path);
        field.editor->setToolTip(toolTipOf(s));
        field.error = new QLabel;
        field.error->setObjectName(s.path + QStringLiteral(".error"));
        field.error->setStyleSheet(QStringLiteral("color: #c62828"));
        field.error->setWordWrap(true);
        field.error->hide();
        auto *cell = new QWidget;
        auto *cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->setSpacing(1);
        cellLayout->addWidget(field.editor);
        cellLayout->addWidget(field.error);
        if (s.path == QLatin1String("training.lr")) {
            m_learningRateNote = new QLabel;
            m_learningRateNote->setObjectName(s.path + QStringLiteral(".note"));
            m_learningRateNote->setStyleSheet(QStringLiteral("color: #555"));
            m_learningRateNote->setWordWrap(true);
            m_learningRateNote->hide();
            cellLayout->addWidget(m_learningRateNote);
            connect(qobject_cast<QLineEdit *>(field.editor), &QLineEdit::textEdited, this, [this] {
                m_learningRateEdited = true;
                m_learningRateNote->hide();
            });
        }
        formFor(groupOf(s.path))->addRow(labelOf(s.path), cell);
        m_fields.insert(s.path, field);
        m_order << s.path;
    }

    // Where power comes from is part of the spec too ("telemetry": {source, interval_ms}).
    QFormLayout *telemetry = formFor(QStringLiteral("telemetry"));
    m_telemetry = new QComboBox;
    m_telemetry->setObjectName(QStringLiteral("telemetry.source"));
    m_telemetry->setEditable(true); // "replay:LOGFILE" plays a recorded tegrastats log
    m_telemetry->addItems({"auto", "tegrastats", "ina3221", "nvml", "rapl", "none"});
    m_telemetry->setToolTip(tr("Board power source; auto takes the first that works. replay:FILE plays a "
                               "recorded tegrastats log."));
    m_interval = new QSpinBox;
    m_interval->setObjectName(QStringLiteral("telemetry.interval_ms"));
    m_interval->setRange(10, 60000);
    m_interval->setSuffix(QStringLiteral(" ms"));
    telemetry->addRow(tr("source"), m_telemetry);
    telemetry->addRow(tr("interval"), m_interval);

    column[0]->addStretch(1);
    column[1]->addStretch(1);
    if (auto *algorithm = qobject_cast<QComboBox *>(m_fields.value(QStringLiteral("algorithm")).editor)) {
        connect(algorithm, &QComboBox::currentTextChanged, this, &LauncherForm::enableGroupsFor);
        connect(algorithm, &QComboBox::currentTextChanged, this, &LauncherForm::followLearningRate);
        enableGroupsFor(algorithm->currentText());
        m_algorithm = algorithm->currentText();
    }
    return page;
}

// Settings the chosen algorithm ignores stay visible (a spec keeps them) but greyed out, so the
// form does not suggest that, say, theta changes a BP run.
void LauncherForm::enableGroupsFor(const QString &algorithm)
{
    // What each method is comes from the engine's own description of it, as its defaults do.
    Algorithm chosen = Algorithm::FfInt8;
    const bool known = algorithmFromName(algorithm.toStdString(), chosen);
    const bool ff = known && isForwardForward(chosen);
    const bool int8 = known && isInt8(chosen);
    const QList<std::tuple<QString, bool, QString>> rules = {
        {QStringLiteral("ff"), ff, tr("Forward-Forward algorithms only (ff-fp32, ff-int8)")},
        {QStringLiteral("ff.lookahead"), ff, tr("Forward-Forward algorithms only (ff-fp32, ff-int8)")},
        {QStringLiteral("int8"), int8, tr("INT8 algorithms only (ff-int8, bp-int8, bp-ui8)")},
        {QStringLiteral("ui8"), known && chosen == Algorithm::BpUi8, tr("bp-ui8 only")},
    };
    for (const auto &[group, applies, scope] : rules) {
        QGroupBox *box = m_groups.value(group);
        if (!box)
            continue;
        // A group holding a value in error stays editable, or the error could not be corrected.
        bool holdsError = false;
        for (const QString &path : std::as_const(m_invalid))
            holdsError = holdsError || groupOf(path) == group;
        box->setEnabled(applies || holdsError);
        box->setToolTip(applies ? QString() : tr("Not used by %1: %2").arg(algorithm, scope));
    }
    // BP's INT8 methods fix their own quantisers (per-tensor weights from an FP32 copy, their own
    // roundings): of the INT8 settings only the optimizer state's format applies to them.
    const bool bpInt8 = int8 && !ff;
    for (const QString &path : std::as_const(m_order)) {
        if (groupOf(path) != QStringLiteral("int8") || path == QStringLiteral("int8.optimizer_state"))
            continue;
        QWidget *editor = m_fields[path].editor;
        editor->setEnabled(!bpInt8 || m_invalid.contains(path));
        const QString tip = toolTipOf(*m_fields[path].setting);
        editor->setToolTip(bpInt8 ? tr("Not used by %1, which sets its own quantisers. %2").arg(algorithm, tip) : tip);
    }
}

// Switching between FF and BP keeps a learning rate the user chose, but otherwise takes the new
// method's default: BP at FF's 0.03 with Adam ends 18 points lower than at its own 0.001.
void LauncherForm::followLearningRate(const QString &algorithm)
{
    const QString previous = std::exchange(m_algorithm, algorithm);
    Algorithm from, to;
    if (m_filling || !m_learningRateNote || !algorithmFromName(previous.toStdString(), from)
        || !algorithmFromName(algorithm.toStdString(), to) || defaultLearningRate(from) == defaultLearningRate(to))
        return;
    auto *edit = qobject_cast<QLineEdit *>(m_fields.value(QStringLiteral("training.lr")).editor);
    const QString ownDefault = QString::number(double(defaultLearningRate(to)));
    if (m_learningRateEdited) {
        m_learningRateNote->setText(tr("Kept your %1; %2's default is %3.").arg(edit->text().trimmed(), algorithm, ownDefault));
    } else {
        edit->setText(ownDefault);
        m_learningRateNote->setText(tr("Set to %1's default, %2 (with Adam); type a value to keep your own.").arg(algorithm, ownDefault));
    }
    m_learningRateNote->show();
}

QWidget *LauncherForm::editorFor(const Setting &s)
{
    const QString path = s.path;
    switch (s.kind) {
    case SettingKind::Switch: {
        auto *box = new QCheckBox;
        connect(box, &QCheckBox::toggled, this, [this, path] { checkField(path); });
        return box;
    }
    case SettingKind::Choice: {
        auto *combo = new QComboBox;
        combo->addItems(s.choices);
        connect(combo, &QComboBox::currentTextChanged, this, [this, path] { checkField(path); });
        return combo;
    }
    default: {
        auto *edit = new QLineEdit;
        connect(edit, &QLineEdit::textChanged, this, [this, path] { checkField(path); });
        return edit;
    }
    }
}

QString LauncherForm::textOf(const Field &field) const
{
    if (auto *box = qobject_cast<QCheckBox *>(field.editor))
        return box->isChecked() ? QStringLiteral("on") : QStringLiteral("off");
    if (auto *combo = qobject_cast<QComboBox *>(field.editor))
        return combo->currentText();
    return qobject_cast<QLineEdit *>(field.editor)->text().trimmed();
}

void LauncherForm::setSpec(const ExperimentSpec &spec)
{
    m_filling = true;
    m_name->setText(spec.name);
    m_description = spec.description;
    m_customModel = spec.config.customModel;
    for (const QString &path : std::as_const(m_order))
        setFieldText(path, m_fields[path].setting->get(spec.config));
    m_telemetry->setCurrentText(spec.telemetrySource);
    m_interval->setValue(spec.telemetryIntervalMs);
    m_filling = false;
    m_algorithm = QString::fromLatin1(algorithmName(spec.config.algorithm));
    // A spec's own learning rate counts as chosen; the method's default keeps following the method.
    m_learningRateEdited = spec.config.lr != defaultLearningRate(spec.config.algorithm);
    if (m_learningRateNote)
        m_learningRateNote->hide();
    for (const QString &path : std::as_const(m_order))
        checkField(path);
    emit modelChanged(); // a described model changes with no field
}

bool LauncherForm::loadPreset(const QString &name, QString *error)
{
    if (!loadFile(QStringLiteral("%1/%2.json").arg(kPresetFolder, name), error))
        return false;
    const QSignalBlocker block(m_presets);
    m_presets->setCurrentText(name);
    return true;
}

bool LauncherForm::loadFile(const QString &path, QString *error)
{
    try {
        if (!isSuiteFile(path)) {
            setSpec(parseSpecFile(path));
            return true;
        }
        const Suite suite = parseSuiteFile(path);
        setSpec(suite.runs.first());
        emit suiteLoaded(suite);
        return true;
    } catch (const SpecError &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
    } catch (const EngineError &e) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what()));
    }
    return false;
}

void LauncherForm::setFieldText(const QString &path, const QString &text)
{
    if (path == QStringLiteral("name")) {
        m_name->setText(text);
        return;
    }
    if (path == QStringLiteral("telemetry.source")) {
        m_telemetry->setCurrentText(text);
        return;
    }
    if (path == QStringLiteral("telemetry.interval_ms")) {
        m_interval->setValue(text.toInt());
        return;
    }
    const auto it = m_fields.constFind(path);
    if (it == m_fields.constEnd())
        return;
    if (auto *box = qobject_cast<QCheckBox *>(it->editor))
        box->setChecked(text == QStringLiteral("on"));
    else if (auto *combo = qobject_cast<QComboBox *>(it->editor))
        combo->setCurrentText(text);
    else
        qobject_cast<QLineEdit *>(it->editor)->setText(text);
}

QWidget *LauncherForm::field(const QString &path) const
{
    if (path == QStringLiteral("name"))
        return m_name;
    if (path == QStringLiteral("telemetry.source"))
        return m_telemetry;
    if (path == QStringLiteral("telemetry.interval_ms"))
        return m_interval;
    return m_fields.value(path).editor;
}

QStringList LauncherForm::presetNames() const
{
    return ffint8::presetNames() + builtInSuiteNames();
}

void LauncherForm::showError(const QString &path, const QString &message)
{
    const bool wasValid = m_invalid.isEmpty();
    if (message.isEmpty())
        m_invalid.removeAll(path);
    else if (!m_invalid.contains(path))
        m_invalid << path;
    if (auto it = m_fields.find(path); it != m_fields.end()) {
        it->error->setText(message);
        it->error->setVisible(!message.isEmpty());
    }
    if (wasValid != m_invalid.isEmpty())
        emit validityChanged(m_invalid.isEmpty());
}

// One field on its own: the table's setter throws with the reason, in the command line's words.
void LauncherForm::checkField(const QString &path)
{
    if (m_filling)
        return;
    const Field &field = m_fields[path];
    TrainConfig scratch;
    if (m_customModel)
        scratch.setCustomModel(*m_customModel);
    try {
        field.setting->apply(scratch, textOf(field));
        showError(path, QString());
    } catch (const SpecError &e) {
        showError(path, QString::fromUtf8(e.what()));
    } catch (const EngineError &e) {
        showError(path, QString::fromUtf8(e.what()));
    }
    if (kModelPaths.contains(path))
        emit modelChanged();
}

std::optional<TrainConfig> LauncherForm::modelConfig(QString *problem) const
{
    TrainConfig config;
    if (m_customModel)
        config.setCustomModel(*m_customModel);
    // In the table's order, as spec() applies them: the model's name after the MLP's widths.
    for (const QString &path : std::as_const(m_order)) {
        if (!kModelPaths.contains(path))
            continue;
        const Field &field = m_fields[path];
        try {
            field.setting->apply(config, textOf(field));
        } catch (const std::exception &e) {
            if (problem)
                *problem = QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what()));
            return std::nullopt;
        }
    }
    return config;
}

std::optional<ExperimentSpec> LauncherForm::spec(QStringList *errors)
{
    ExperimentSpec spec;
    spec.name = m_name->text().trimmed();
    spec.description = m_description;
    spec.telemetrySource = m_telemetry->currentText().trimmed();
    spec.telemetryIntervalMs = m_interval->value();
    if (m_customModel)
        spec.config.setCustomModel(*m_customModel); // kept unless the model field names another
    QStringList problems;
    for (const QString &path : std::as_const(m_order)) {
        const Field &field = m_fields[path];
        try {
            field.setting->apply(spec.config, textOf(field));
            showError(path, QString());
        } catch (const std::exception &e) {
            showError(path, QString::fromUtf8(e.what()));
            problems << QStringLiteral("%1: %2").arg(path, QString::fromUtf8(e.what()));
        }
    }
    spec.learningRateGiven = true; // the field always holds one, the default or the user's
    if (spec.name.isEmpty())
        problems << tr("name: give the run a name");
    if (problems.isEmpty()) {
        // Settings that are fine alone but not together (the engine's own checks).
        try {
            spec.config.validate();
        } catch (const EngineError &e) {
            problems << QString::fromUtf8(e.what());
        }
    }
    if (errors)
        *errors = problems;
    if (!problems.isEmpty())
        return std::nullopt;
    return spec;
}

bool LauncherForm::saveSpec(const QString &path, QString *error)
{
    QStringList problems;
    const std::optional<ExperimentSpec> current = spec(&problems);
    if (!current) {
        if (error)
            *error = tr("%1 not saved: %2").arg(path, problems.join(QStringLiteral("; ")));
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(specToJson(*current)).toJson(QJsonDocument::Indented)) < 0 || !file.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace ffint8
