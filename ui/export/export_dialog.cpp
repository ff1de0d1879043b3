// The export dialog (see export_dialog.h).
#include "ui/export/export_dialog.h"

#include "app/store/run_store.h"
#include "app/store/store_error.h"
#include "ui/settings/last_folder.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>

namespace ffint8 {

ExportDialog::ExportDialog(RunStore *store, const QList<qint64> &runIds, QWidget *parent)
    : QDialog(parent),
      m_store(store),
      m_runIds(runIds),
      m_layout(new QComboBox(this)),
      m_format(new QComboBox(this)),
      m_baseline(new QComboBox(this)),
      m_time(new QComboBox(this)),
      m_byBoard(new QCheckBox(tr("A row per model and board"), this)),
      m_preview(new QPlainTextEdit(this)),
      m_path(new QLineEdit(this)),
      m_problem(new QLabel(this)),
      m_note(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Close, this))
{
    setWindowTitle(tr("Export %n run(s)", nullptr, int(runIds.size())));
    m_layout->addItem(tr("Long: one row per run"), int(TableLayout::Long));
    m_layout->addItem(tr("Paper: methods side by side (Table V)"), int(TableLayout::Paper));
    m_time->addItem(tr("Training time of all epochs"), int(TableTime::Epochs));
    m_time->addItem(tr("Training time to the target accuracy"), int(TableTime::ToTarget));
    m_time->setToolTip(tr("The paper layout's time: every epoch the run trained, or up to the end of the first "
                          "epoch that reached the run's target accuracy (training.target_accuracy). The long "
                          "layout has both."));
    m_byBoard->setToolTip(tr("For a store several boards share: each board's runs in rows of their own, with ratios "
                             "to the baseline on the same board."));
    m_format->addItem(tr("CSV"), int(TableFormat::Csv));
    m_format->addItem(tr("Markdown"), int(TableFormat::Markdown));
    m_format->addItem(tr("LaTeX"), int(TableFormat::Latex));
    m_format->addItem(tr("JSON"), int(TableFormat::Json));

    // The methods of the chosen runs are the sensible baselines; any other name may be typed.
    m_baseline->setEditable(true);
    QStringList methods{QStringLiteral("bp-fp32")};
    if (m_store) {
        try {
            for (qint64 id : runIds)
                if (const std::optional<RunRecord> run = m_store->run(id))
                    methods << run->algorithm;
        } catch (const StoreError &) {
            // The preview reports the store's problem; the choices just stay at the default.
        }
    }
    methods.removeDuplicates();
    m_baseline->addItems(methods);
    m_baseline->setCurrentText(QStringLiteral("bp-fp32"));

    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_problem->hide();
    m_note->setWordWrap(true);
    m_note->hide();

    auto *browse = new QPushButton(tr("Browse…"), this);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);

    auto *form = new QFormLayout;
    form->addRow(tr("Layout"), m_layout);
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("Baseline method"), m_baseline);
    form->addRow(tr("Time"), m_time);
    form->addRow(tr("Rows"), m_byBoard);
    form->addRow(tr("File"), pathRow);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_preview, 1);
    layout->addWidget(m_problem);
    layout->addWidget(m_note);
    layout->addWidget(m_buttons);
    resize(760, 520);

    setOutputPath(lastFolder(QStringLiteral("tables"), QStringLiteral("ffint8-runs.csv")));

    connect(m_layout, &QComboBox::currentIndexChanged, this, &ExportDialog::updatePreview);
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        followFormatSuffix();
        updatePreview();
    });
    connect(m_baseline, &QComboBox::currentTextChanged, this, &ExportDialog::updatePreview);
    connect(m_time, &QComboBox::currentIndexChanged, this, &ExportDialog::updatePreview);
    connect(m_byBoard, &QCheckBox::toggled, this, &ExportDialog::updatePreview);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::chooseFile);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ExportDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updatePreview();
}

void ExportDialog::setTableLayout(TableLayout layout)
{
    m_layout->setCurrentIndex(m_layout->findData(int(layout)));
}

void ExportDialog::setTableFormat(TableFormat format)
{
    m_format->setCurrentIndex(m_format->findData(int(format)));
}

void ExportDialog::setBaseline(const QString &method)
{
    m_baseline->setCurrentText(method);
}

void ExportDialog::setTableTime(TableTime time)
{
    m_time->setCurrentIndex(m_time->findData(int(time)));
}

void ExportDialog::setRowsByBoard(bool on)
{
    m_byBoard->setChecked(on);
}

void ExportDialog::setOutputPath(const QString &path)
{
    m_path->setText(path);
}

QString ExportDialog::outputPath() const
{
    return m_path->text().trimmed();
}

QString ExportDialog::noteText() const { return m_note->text(); }

QString ExportDialog::previewText() const
{
    return m_table;
}

TableOptions ExportDialog::options() const
{
    TableOptions o;
    o.layout = TableLayout(m_layout->currentData().toInt());
    o.format = TableFormat(m_format->currentData().toInt());
    o.baseline = m_baseline->currentText().trimmed();
    o.time = TableTime(m_time->currentData().toInt());
    o.boardRows = m_byBoard->isChecked();
    return o;
}

void ExportDialog::updatePreview()
{
    m_tableValid = false;
    m_table.clear();
    QString problem, note;
    const TableOptions o = options();
    // Only the paper layout chooses a time column; the baseline is only its ratios' too.
    m_time->setEnabled(o.layout == TableLayout::Paper);
    m_byBoard->setEnabled(o.layout == TableLayout::Paper);
    m_baseline->setEnabled(o.layout == TableLayout::Paper);
    if (!m_store)
        problem = tr("No run store is open.");
    else if (m_runIds.isEmpty())
        problem = tr("No runs are chosen.");
    else if (o.layout == TableLayout::Paper && o.baseline.isEmpty())
        problem = tr("The paper layout needs a baseline method (e.g. bp-fp32) for its ratios.");
    else {
        try {
            QStringList leftOut;
            m_table = exportTable(*m_store, m_runIds, o, &leftOut);
            m_tableValid = true;
            // Said here too: CSV and JSON have no place for the note the text formats carry.
            if (!leftOut.isEmpty())
                note = tr("The paper layout leaves out the runs that did not finish: %1.").arg(leftOut.join(QStringLiteral(", ")));
        } catch (const std::exception &e) {
            problem = QString::fromStdString(e.what());
        }
    }
    m_preview->setPlainText(m_table);
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(m_tableValid);
}

void ExportDialog::followFormatSuffix()
{
    const QString path = outputPath();
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    const QString suffix = tableFormatSuffix(options().format);
    const QString base = info.suffix().isEmpty() ? info.fileName() : info.completeBaseName();
    setOutputPath(info.dir().filePath(base + QLatin1Char('.') + suffix));
}

void ExportDialog::chooseFile()
{
    const QString suffix = tableFormatSuffix(options().format);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export table"), outputPath(),
                                                      tr("%1 files (*.%2)").arg(m_format->currentText(), suffix));
    if (path.isEmpty())
        return;
    rememberFolder(QStringLiteral("tables"), path);
    setOutputPath(QFileInfo(path).suffix().isEmpty() ? path + QLatin1Char('.') + suffix : path);
}

bool ExportDialog::exportTo(const QString &path, QString *error)
{
    auto fail = [&](const QString &reason) {
        if (error)
            *error = tr("cannot write %1: %2").arg(QDir::toNativeSeparators(path), reason);
        return false;
    };
    if (path.trimmed().isEmpty())
        return fail(tr("no file name was given"));
    if (!m_tableValid)
        return fail(m_problem->text());
    if (!QFileInfo(path).absoluteDir().exists())
        return fail(tr("the folder %1 does not exist").arg(QDir::toNativeSeparators(QFileInfo(path).absolutePath())));
    // QSaveFile: an existing file is replaced only once the whole table is written.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    const QByteArray bytes = m_table.toUtf8();
    if (file.write(bytes) != bytes.size())
        return fail(file.errorString());
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

void ExportDialog::save()
{
    QString error;
    if (exportTo(outputPath(), &error))
        accept();
    else
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace ffint8
