// The launcher's model summary (offscreen): totals, FF units and layers for the dataset's input; errors inline.
#include "app/session/run_queue.h"
#include "app/spec/model_summary.h"
#include "engine/train/graph_ff_trainer.h"
#include "ui/launcher/launch_panel.h"
#include "ui/launcher/launcher_form.h"
#include "ui/launcher/model_summary_panel.h"

#include <QApplication>
#include <QDialog>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

using namespace ffint8;

namespace {

// The layers' rows under the blocks' rows.
int layerRows(QTreeWidget *tree)
{
    int rows = 0;
    for (int b = 0; b < tree->topLevelItemCount(); ++b)
        rows += tree->topLevelItem(b)->childCount();
    return rows;
}

bool anyDialogShown()
{
    for (QWidget *w : QApplication::topLevelWidgets())
        if (qobject_cast<QDialog *>(w) && w->isVisible())
            return true;
    return false;
}

} // namespace

class TestGuiModelSummary : public QObject
{
    Q_OBJECT

    RunQueue m_queue;

private slots:
    // The parameter counts the presets document from their papers' plans (model_spec.h), not from
    // this code: resnet-18 11,173,962 and mobilenet-v2 2,236,682 with 10 classes.
    void showsAPresetForCifar()
    {
        LaunchPanel panel(&m_queue);
        panel.resize(1200, 900);
        panel.show();
        LauncherForm *form = panel.form();
        ModelSummaryPanel *summary = panel.modelSummary();
        form->setFieldText("dataset.name", "cifar10");
        form->setFieldText("model.preset", "resnet-18");
        form->setFieldText("algorithm", "ff-int8");
        // The fields' edits reach the summary once they settle.
        QTRY_VERIFY2(summary->headline().startsWith("resnet-18: 11,173,962 parameters"),
                     qPrintable(summary->headline()));
        QVERIFY2(summary->inputText().contains("3x32x32") && summary->inputText().contains("cifar10"),
                 qPrintable(summary->inputText()));
        QVERIFY(summary->errorText().isEmpty());
        const ConfigModelSummary &s = *summary->summary();
        // The tree holds every layer the CLI lists, under its block; totals add up from the layers.
        QTreeWidget *tree = summary->layerTree();
        QCOMPARE(layerRows(tree), int(s.model.layers.size()));
        qint64 parameters = 0, macs = 0;
        for (const ModelSummaryLayer &l : s.model.layers) {
            parameters += l.parameters;
            macs += l.macs;
        }
        QCOMPARE(parameters, qint64(11173962));
        QCOMPARE(macs, s.model.macs);
        QVERIFY(summary->headline().contains(groupedCount(macs) + " MACs per image"));
        QCOMPARE(tree->topLevelItem(0)->text(0), QString("stem"));
        QCOMPARE(tree->topLevelItem(tree->topLevelItemCount() - 1)->text(0), QString("head"));
        QCOMPARE(tree->topLevelItem(tree->topLevelItemCount() - 1)->text(3), QString("5,130")); // 512 x 10 + 10
        QCOMPARE(tree->topLevelItem(0)->child(0)->text(2), QString("64x32x32")); // the 3x3 stem, stride 1
        // FF's units: as the trainer plans them (the label as channels, each block a unit).
        TrainConfig config;
        config.model = "resnet-18";
        config.inputShape = Shape::image(3, 32, 32);
        const std::vector<FfUnitSpec> units = plannedFfUnits(config);
        QCOMPARE(s.ffUnits.size(), qsizetype(units.size()));
        QVERIFY2(summary->headline().contains(QString("%1 FF units by block").arg(units.size())),
                 qPrintable(summary->headline()));

        // Another preset: mobilenet-v2's 19 units.
        form->setFieldText("model.preset", "mobilenet-v2");
        QTRY_VERIFY2(summary->headline().startsWith("mobilenet-v2: 2,236,682 parameters"),
                     qPrintable(summary->headline()));
        QVERIFY2(summary->headline().contains("19 FF units by block"), qPrintable(summary->headline()));
        QCOMPARE(layerRows(tree), int(summary->summary()->model.layers.size()));
        // BP trains no FF units: the count is what FF would train.
        form->setFieldText("algorithm", "bp-fp32");
        QTRY_VERIFY2(summary->headline().contains("(if trained by FF)"), qPrintable(summary->headline()));

        // The layers fold away and back.
        QToolButton *button = summary->layersButton();
        QVERIFY(button->text().contains(QString::number(layerRows(tree))));
        QVERIFY(tree->isVisible());
        button->click();
        QVERIFY(!tree->isVisible());
        button->click();
        QVERIFY(tree->isVisible());
    }

    // The dataset decides the input: Fashion-MNIST's 28x28, padded to 32 when asked; a folder's
    // shape is unknown until loaded, so the summary says which shape it shows.
    void followsTheDataset()
    {
        LaunchPanel panel(&m_queue);
        LauncherForm *form = panel.form();
        ModelSummaryPanel *summary = panel.modelSummary();
        form->setFieldText("model.preset", "cnn-small");
        form->setFieldText("dataset.name", "fashion-mnist");
        summary->updateNow();
        QVERIFY2(summary->inputText().startsWith("Input 1x28x28 (fashion-mnist)"), qPrintable(summary->inputText()));
        QCOMPARE(summary->layerTree()->topLevelItem(0)->child(0)->text(2), QString("16x28x28"));
        form->setFieldText("dataset.pad_to", "32");
        summary->updateNow();
        QVERIFY2(summary->inputText().startsWith("Input 1x32x32 (fashion-mnist padded to 32x32)"),
                 qPrintable(summary->inputText()));
        QCOMPARE(summary->layerTree()->topLevelItem(0)->child(0)->text(2), QString("16x32x32"));
        form->setFieldText("dataset.pad_to", "0");
        form->setFieldText("dataset.name", "/no/such/folder");
        summary->updateNow();
        QVERIFY2(summary->inputText().contains("input from the dataset; shown for 1x28x28"),
                 qPrintable(summary->inputText()));
        QVERIFY(summary->errorText().isEmpty());
    }

    // A model that does not take the input says so inline, in the engine's words; no dialog opens
    // and the form stays as it was.
    void errorsStayInline()
    {
        LaunchPanel panel(&m_queue);
        panel.show();
        LauncherForm *form = panel.form();
        ModelSummaryPanel *summary = panel.modelSummary();
        // The MLP of 784 inputs on CIFAR-10's 3x32x32 = 3072 values.
        form->setFieldText("model.preset", "");
        form->setFieldText("model.layers", "784,100");
        form->setFieldText("dataset.name", "cifar10");
        summary->updateNow();
        QVERIFY2(summary->errorText().contains("3x32x32"), qPrintable(summary->errorText()));
        QCOMPARE(summary->headline(), QString("No model summary"));
        QCOMPARE(layerRows(summary->layerTree()), 0);
        QVERIFY(!anyDialogShown());
        // pad_to smaller than the images, named with both sizes.
        form->setFieldText("model.layers", "784,1000,1000");
        form->setFieldText("dataset.name", "fashion-mnist");
        form->setFieldText("dataset.pad_to", "20");
        summary->updateNow();
        QVERIFY2(summary->errorText().contains("pad_to 20") && summary->errorText().contains("28x28"),
                 qPrintable(summary->errorText()));
        form->setFieldText("dataset.pad_to", "0");
        // A model name that is no preset: the setting's own message.
        form->setFieldText("model.preset", "resnet-7");
        summary->updateNow();
        QVERIFY2(summary->errorText().startsWith("model.preset: 'resnet-7' is not a model"),
                 qPrintable(summary->errorText()));
        // Corrected, the summary is back: the MLP as the mlp preset, 784-1000-1000 and its head.
        form->setFieldText("model.preset", "");
        summary->updateNow();
        QVERIFY(summary->errorText().isEmpty());
        const qint64 mlp = 784 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10;
        QVERIFY2(summary->headline().startsWith("mlp: " + groupedCount(mlp) + " parameters"),
                 qPrintable(summary->headline()));
        QVERIFY2(summary->headline().contains("2 FF units"), qPrintable(summary->headline()));
        QVERIFY(!anyDialogShown());
    }
};

QTEST_MAIN(TestGuiModelSummary)
#include "tst_gui_model_summary.moc"
