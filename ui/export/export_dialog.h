// The export dialog: a result table of chosen runs in one of the table layouts and formats, previewed
// and saved to a file. The table itself is app/export's.
#pragma once

#include "app/export/result_table.h"

#include <QDialog>
#include <QList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace ffint8 {

class RunStore;

class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    // The store must outlive the dialog.
    ExportDialog(ffint8::RunStore *store, const QList<qint64> &runIds, QWidget *parent = nullptr);

    void setTableLayout(ffint8::TableLayout layout);
    void setTableFormat(ffint8::TableFormat format);
    void setBaseline(const QString &method); // for the paper layout's ratios, e.g. "bp-fp32"
    void setTableTime(ffint8::TableTime time); // the paper layout's time: all epochs, or to the target
    void setRowsByBoard(bool on);              // the paper layout: a row per model and board
    void setOutputPath(const QString &path);
    ffint8::TableOptions options() const;
    QString outputPath() const;
    QString previewText() const; // the table as it will be written (the preview widget shows CRLF as LF)
    QString noteText() const;    // what the table leaves out (runs that did not finish); empty: nothing

    // Writes the table as previewed to `path`; false with `error` naming the file and the reason.
    bool exportTo(const QString &path, QString *error);

public slots:
    void save(); // to the chosen file; a failure is shown, and the dialog stays open

private:
    void updatePreview();
    void followFormatSuffix();
    void chooseFile();

    ffint8::RunStore *m_store;
    QList<qint64> m_runIds;
    QComboBox *m_layout;
    QComboBox *m_format;
    QComboBox *m_baseline;
    QComboBox *m_time;
    QCheckBox *m_byBoard;
    QPlainTextEdit *m_preview;
    QLineEdit *m_path;
    QLabel *m_problem;
    QLabel *m_note; // what the table leaves out, where it is not an error
    QDialogButtonBox *m_buttons;
    QString m_table; // the preview's text, as it will be written
    bool m_tableValid = false;
};

} // namespace ffint8
