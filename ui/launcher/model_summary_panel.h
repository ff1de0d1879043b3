// The launcher's summary of the model the form describes: totals, FF units and its layers by block, before any run.
#pragma once

#include "app/spec/model_summary.h"

#include <QTimer>
#include <QWidget>
#include <optional>

class QLabel;
class QToolButton;
class QTreeWidget;

namespace ffint8 {

// Planned on a SizingBackend by app/spec/model_summary (what `ffint8 model show` prints), for the
// dataset's input shape where its name tells it. A model that does not fit its input, or a model
// setting in error, is said inline in the engine's or the setting's words: the form stays usable.
class ModelSummaryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ModelSummaryPanel(QWidget *parent = nullptr);

    // Shows config's model once the fields settle: typing a width re-plans once, not per key.
    void showConfig(const TrainConfig &config);
    // Shows why there is no model to summarise (a setting's error), in place of the summary.
    void showProblem(const QString &text);
    // Plans a pending configuration now (tests; the timer does it otherwise).
    void updateNow();

    // What is shown: the totals line, the input line, the error (empty when none), the layers'
    // tree (a row per block, its layers as children) and the button that folds it away.
    QString headline() const;
    QString inputText() const;
    QString errorText() const;
    QTreeWidget *layerTree() const { return m_tree; }
    QToolButton *layersButton() const { return m_toggle; }
    // The last summary planned, if the last configuration had one.
    const std::optional<ConfigModelSummary> &summary() const { return m_summary; }

private:
    void plan();
    void fillTree(const ModelSummary &model);
    void setError(const QString &text);

    QLabel *m_headline = nullptr;
    QLabel *m_input = nullptr;
    QLabel *m_error = nullptr;
    QToolButton *m_toggle = nullptr;
    QTreeWidget *m_tree = nullptr;
    QTimer m_settle;
    std::optional<TrainConfig> m_pending;
    std::optional<ConfigModelSummary> m_summary;
};

} // namespace ffint8
