// The launcher's model summary: app/spec/model_summary laid out as labels and a tree of blocks and layers.
#include "ui/launcher/model_summary_panel.h"

#include "engine/train/train_config.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <utility>

namespace ffint8 {

namespace {

// Long enough to coalesce a burst of keys or a spec's fields filled one by one; short enough to
// feel immediate. resnet-18 plans in tens of milliseconds, so one plan per pause is cheap.
constexpr int kSettleMs = 120;

enum Column { NameColumn, TypeColumn, ShapeColumn, ParametersColumn, MacsColumn, ColumnCount };

// "1 layer", "70 layers": no translation file supplies the plurals of tr's %n here.
QString counted(qsizetype n, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

QString shapeText(const Shape &s)
{
    return QString::fromStdString(s.text());
}

void setRow(QTreeWidgetItem *item, const QStringList &texts)
{
    for (int c = 0; c < ColumnCount; ++c) {
        item->setText(c, texts.value(c));
        if (c >= ParametersColumn)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    }
}

} // namespace

ModelSummaryPanel::ModelSummaryPanel(QWidget *parent) : QWidget(parent)
{
    m_headline = new QLabel(this);
    m_headline->setObjectName(QStringLiteral("modelHeadline"));
    m_headline->setWordWrap(true);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_headline->font();
    bold.setBold(true);
    m_headline->setFont(bold);
    m_headline->setToolTip(tr("As `ffint8 model show` counts them: the totals include the classifier (block "
                              "\"head\"), which BP trains and FF trains only with ff.prediction head"));
    m_input = new QLabel(this);
    m_input->setObjectName(QStringLiteral("modelInput"));
    m_input->setWordWrap(true);
    m_input->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("modelError"));
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    m_toggle = new QToolButton(this);
    m_toggle->setObjectName(QStringLiteral("modelLayersButton"));
    m_toggle->setCheckable(true);
    m_toggle->setChecked(true);
    m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggle->setArrowType(Qt::DownArrow);
    m_toggle->setAutoRaise(true);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("modelLayers"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Block / layer"), tr("Type"), tr("Output shape"), tr("Parameters"), tr("MACs")});
    m_tree->setUniformRowHeights(true); // 150 rows of mobilenet-v2 lay out without measuring each
    m_tree->setAlternatingRowColors(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int c = TypeColumn; c < ColumnCount; ++c)
        m_tree->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_tree->setMinimumHeight(100);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 0, 0);
    header->addWidget(m_headline, 1);
    header->addWidget(m_toggle);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_input);
    layout->addWidget(m_error);
    layout->addWidget(m_tree, 1);

    connect(m_toggle, &QToolButton::toggled, this, [this](bool shown) {
        m_tree->setVisible(shown);
        m_toggle->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
    });
    m_settle.setSingleShot(true);
    m_settle.setInterval(kSettleMs);
    connect(&m_settle, &QTimer::timeout, this, &ModelSummaryPanel::plan);
    m_toggle->setText(tr("Layers"));
}

void ModelSummaryPanel::showConfig(const TrainConfig &config)
{
    m_pending = config;
    m_settle.start();
}

void ModelSummaryPanel::showProblem(const QString &text)
{
    m_pending.reset();
    m_settle.stop();
    m_summary.reset();
    setError(text);
}

void ModelSummaryPanel::updateNow()
{
    if (m_pending) {
        m_settle.stop();
        plan();
    }
}

void ModelSummaryPanel::plan()
{
    if (!m_pending)
        return;
    const TrainConfig config = *std::exchange(m_pending, std::nullopt);
    try {
        m_summary = summarizeConfig(config);
    } catch (const std::exception &e) {
        // The engine's words: the layer and both shapes, or the setting and its value.
        m_summary.reset();
        setError(QString::fromUtf8(e.what()));
        return;
    }
    const ConfigModelSummary &s = *m_summary;
    const bool ff = isForwardForward(config.algorithm);
    QString units;
    if (!s.ffUnitsError.isEmpty())
        units = tr("no FF units");
    else
        units = tr("%1 by %2%3")
                    .arg(counted(s.ffUnits.size(), tr("FF unit"), tr("FF units")),
                         QString::fromLatin1(config.ffUnit == FfUnit::Layer ? "layer" : "block"),
                         ff ? QString() : tr(" (if trained by FF)"));
    m_headline->setText(tr("%1: %2 parameters \u00b7 %3 MACs per image \u00b7 %4 \u00b7 %5")
                            .arg(s.model.model, groupedCount(s.model.parameters), groupedCount(s.model.macs),
                                 counted(s.model.layers.size(), tr("layer"), tr("layers")), units));
    m_input->setText(tr("Input %1 (%2), %3 classes").arg(shapeText(s.model.input), s.inputSource).arg(s.model.classes));
    m_input->setToolTip(s.ffUnits.join(QStringLiteral(", ")));
    fillTree(s.model);
    // FF's units failing to plan (a label embedding that does not fit) is FF's error only: the
    // model itself fits, so its summary stays.
    m_error->setText(s.ffUnitsError.isEmpty() || !ff ? QString() : tr("FF units: %1").arg(s.ffUnitsError));
    m_error->setVisible(!m_error->text().isEmpty());
}

void ModelSummaryPanel::fillTree(const ModelSummary &model)
{
    m_tree->clear();
    QTreeWidgetItem *block = nullptr;
    qint64 blockParameters = 0, blockMacs = 0;
    int blockLayers = 0;
    auto closeBlock = [&] {
        if (!block)
            return;
        setRow(block,
               {block->text(NameColumn), counted(blockLayers, tr("layer"), tr("layers")),
                block->child(block->childCount() - 1)->text(ShapeColumn), groupedCount(blockParameters),
                groupedCount(blockMacs)});
    };
    QList<QTreeWidgetItem *> blocks;
    for (const ModelSummaryLayer &l : model.layers) {
        if (!block || block->text(NameColumn) != l.block) {
            closeBlock();
            block = new QTreeWidgetItem;
            block->setText(NameColumn, l.block);
            blocks << block;
            blockParameters = blockMacs = 0;
            blockLayers = 0;
        }
        auto *row = new QTreeWidgetItem(block);
        setRow(row, {l.name, l.type, shapeText(l.output), groupedCount(l.parameters), groupedCount(l.macs)});
        blockParameters += l.parameters;
        blockMacs += l.macs;
        ++blockLayers;
    }
    closeBlock();
    m_tree->addTopLevelItems(blocks);
    m_toggle->setText(tr("Layers (%1 in %2 blocks)").arg(model.layers.size()).arg(blocks.size()));
}

void ModelSummaryPanel::setError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
    // A summary of what the form said before would mislead: only the reason stays.
    m_headline->setText(tr("No model summary"));
    m_input->clear();
    m_tree->clear();
    m_toggle->setText(tr("Layers"));
}

QString ModelSummaryPanel::headline() const
{
    return m_headline->text();
}

QString ModelSummaryPanel::inputText() const
{
    return m_input->text();
}

QString ModelSummaryPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

} // namespace ffint8
