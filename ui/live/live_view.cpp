// The live view of one run: its progress, controls and outcome above plots of everything it reports.
#include "ui/live/live_view.h"

#include "app/session/run_session.h"
#include "app/store/run_store.h"
#include "app/store/unit_metrics.h"
#include "app/system/process_memory.h"
#include "app/telemetry/power_log.h"
#include "ui/live/unit_colours.h"
#include "ui/live/unit_picker.h"
#include "ui/plot/live_plot.h"
#include "ui/plot/unit_heatmap.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>
#include <cmath>

namespace ffint8 {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr int kProgressSteps = 1000;

// Past this many entries a legend beside a plot of kMinPlotHeight would run below its axes.
constexpr int kMaxLegendEntries = 12;

// A few units' curves keep the series buffers' full resolution; a network of many units keeps
// every unit's curves (any may be chosen later) in smaller buffers, still two points per pixel
// column of a plot up to 512 pixels wide, so its memory stays a few MiB.
int unitSeriesCapacity(int units)
{
    return units > 8 ? 1024 : SeriesBuffer::kDefaultCapacity;
}

QString duration(double seconds)
{
    const qint64 s = qint64(std::llround(std::max(0.0, seconds)));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QChar('0'))
            .arg(s % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString percent(double fraction)
{
    return QString::number(fraction * 100.0, 'f', 2) + QStringLiteral(" %");
}

} // namespace

LiveView::LiveView(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, kProgressSteps);
    m_progress->setTextVisible(true);
    m_pause = new QPushButton(tr("Pause"), this);
    m_stop = new QPushButton(tr("Stop"), this);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_stop->setObjectName(QStringLiteral("stopButton"));
    connect(m_pause, &QPushButton::clicked, this, &LiveView::togglePause);
    connect(m_stop, &QPushButton::clicked, this, &LiveView::requestStop);

    // Which backend, CPU path and threads the run uses: an INT8 run's speed depends on them.
    m_backendLine = new QLabel(this);
    m_backendLine->setObjectName(QStringLiteral("backendLine"));
    m_backendLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Beside the title, cut at the window's edge rather than widening it; the tooltip has it whole.
    m_backendLine->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_progress, 1);
    controls->addWidget(m_pause);
    controls->addWidget(m_stop);

    auto makePlot = [this](const QString &name, const QString &title, const QString &x, const QString &y) {
        auto *plot = new LivePlot(title, x, y, this);
        plot->setObjectName(name);
        m_plots.insert(name, plot);
        m_plotList.append(plot);
        return plot;
    };
    const QString step = tr("step (batches)");
    const QString seconds = tr("time since start (s)");
    // Titles and labels of the first two follow the algorithm (setBackprop).
    makePlot(QStringLiteral("goodness"), QString(), step, QString());
    makePlot(QStringLiteral("separation"), QString(), step, QString());
    makePlot(QStringLiteral("loss"), tr("Train loss"), step, tr("loss"));
    makePlot(QStringLiteral("accuracy"), tr("Accuracy per epoch"), tr("epoch"), tr("accuracy (%)"));
    makePlot(QStringLiteral("power"), tr("Board power"), seconds, tr("power (W)"));
    makePlot(QStringLiteral("memory"), tr("Memory"), seconds, tr("process (MiB)"));
    makePlot(QStringLiteral("throughput"), tr("Throughput"), step, tr("samples/s"));

    // The heatmap of every unit and the choice of units for the curves, across the top.
    m_heatmap = new UnitHeatmap(this);
    m_heatmap->setObjectName(QStringLiteral("heatmap"));
    m_unitPicker = new UnitPicker(this);
    m_unitPicker->setObjectName(QStringLiteral("unitPicker"));
    connect(m_unitPicker, &UnitPicker::selectionChanged, this, &LiveView::showChosenUnits);
    // Many chosen units' names would run below the axes: the unit list, with each unit's colour,
    // is their legend then.
    for (const char *name : {"goodness", "separation"})
        plotNamed(QString::fromLatin1(name))
            ->setLegendLimit(kMaxLegendEntries, tr("%1 curves:\ncolours as in\nthe unit list"));
    connect(m_heatmap, &UnitHeatmap::unitClicked, m_unitPicker, &UnitPicker::toggle);
    auto *unitRow = new QHBoxLayout;
    unitRow->addWidget(m_heatmap, 1);
    unitRow->addWidget(m_unitPicker);

    // Seven plots in two columns are four rows: on a 1366x768 screen they would get 140 px each,
    // too short to read. Each keeps kMinPlotHeight and the grid scrolls instead.
    auto *plotPage = new QWidget;
    auto *grid = new QGridLayout(plotPage);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addLayout(unitRow, 0, 0, 1, 2);
    for (int i = 0; i < m_plotList.size(); ++i) {
        m_plotList[i]->setMinimumHeight(kMinPlotHeight);
        grid->addWidget(m_plotList[i], 1 + i / 2, i % 2);
    }
    m_plotArea = new QScrollArea(this);
    m_plotArea->setObjectName(QStringLiteral("plotArea"));
    m_plotArea->setWidgetResizable(true);
    m_plotArea->setFrameShape(QFrame::NoFrame);
    m_plotArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_plotArea->setWidget(plotPage);

    auto *layout = new QVBoxLayout(this);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addWidget(m_backendLine, 1);
    layout->addLayout(header);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(m_plotArea, 1);

    // RSS is the kernel's view of the whole process, which no run event carries: sampled here while
    // a run is attached, once a second (reading /proc/self/status takes microseconds).
    m_memoryTimer.setInterval(1000);
    connect(&m_memoryTimer, &QTimer::timeout, this, &LiveView::sampleProcessMemory);

    reset();
    m_pause->setEnabled(false);
    m_stop->setEnabled(false);
    // Before any run the view is empty: it says what would fill it.
    m_title->setText(tr("No run yet"));
    setStatus(tr("Waiting for a run: start one on the Launch tab, or open a stored one from the Runs tab."));
    for (LivePlot *plot : std::as_const(m_plotList))
        plot->setMessage(tr("waiting for a run"));
    m_heatmap->setMessage(tr("waiting for a run"));
}

LiveView::~LiveView()
{
    detach();
}

void LiveView::reset()
{
    for (LivePlot *plot : m_plotList) {
        plot->removeAllSeries();
        plot->setMessage(QString());
    }
    m_waiting.clear();
    m_goodnessPos.clear();
    m_goodnessNeg.clear();
    m_separation.clear();
    m_units.clear();
    m_heatmap->setUnits({});
    m_heatmap->setMessage(QString());
    m_unitPicker->setUnits({});
    setBackprop(false);

    LivePlot *loss = plotNamed(QStringLiteral("loss"));
    m_loss = loss->addSeries(tr("train loss"), QColor(31, 119, 180));
    LivePlot *accuracy = plotNamed(QStringLiteral("accuracy"));
    m_testAccuracy = accuracy->addSeries(tr("test"), QColor(31, 119, 180));
    m_validationAccuracy = accuracy->addSeries(tr("validation"), QColor(214, 39, 40), Qt::DashLine);
    accuracy->setMarkers(m_testAccuracy, true);
    accuracy->setMarkers(m_validationAccuracy, true);
    accuracy->setIntegerX(true);
    LivePlot *power = plotNamed(QStringLiteral("power"));
    m_watts = power->addSeries(tr("power (W)"), QColor(214, 39, 40));
    m_joules = power->addSeries(tr("energy (J)"), QColor(44, 160, 44), Qt::DashLine, true);
    power->setRightAxisLabel(tr("cumulative energy (J)"));
    LivePlot *memory = plotNamed(QStringLiteral("memory"));
    // The engine's account is a few MiB where RSS is hundreds: on one axis the account would be a
    // flat line at the bottom, so it has the right axis to itself.
    m_enginePeak = memory->addSeries(tr("engine account, peak per epoch"), QColor(148, 103, 189), Qt::SolidLine, true);
    memory->setMarkers(m_enginePeak, true);
    memory->setRightAxisLabel(tr("engine (MiB)"));
    m_rss = memory->addSeries(tr("process RSS"), QColor(255, 127, 14));
    m_peakRss = memory->addSeries(tr("process peak RSS (whole run)"), QColor(140, 86, 75), Qt::DotLine);
    memory->setMarkers(m_peakRss, true);
    LivePlot *throughput = plotNamed(QStringLiteral("throughput"));
    m_throughput = throughput->addSeries(tr("samples/s"), QColor(44, 160, 44));

    m_runId = 0;
    m_plannedEpochs = 0;
    m_outcome.clear();
    m_storeProblem.clear();
    m_targetReached.clear();
    m_stopping = false;
    m_origin.reset();
    m_lastPower.reset();
    m_energyJoules = 0.0;
    m_progress->setValue(0);
    m_progress->setFormat(QString());
    m_title->clear();
    m_backendLine->clear();
    setStatus(QString());
}

void LiveView::attach(RunSession *session)
{
    detach();
    reset();
    m_session = session;
    if (!session)
        return;
    const TrainConfig &config = session->options().spec.config;
    m_plannedEpochs = config.epochs;
    setBackprop(!isForwardForward(config.algorithm));
    setTitle(session->options().spec.name, QString::fromUtf8(algorithmName(config.algorithm)),
             QString::fromStdString(config.dataset), session->runId());
    plotNamed(QStringLiteral("power"))->setMessage(tr("waiting for the run's power source"));
    // What each plot waits for, until its first points arrive.
    const QString batches = tr("waiting for the first %1 batches").arg(config.metricsEvery);
    for (const char *name : {"goodness", "separation", "loss", "throughput"})
        showWaiting(plotNamed(QString::fromLatin1(name)), batches);
    m_heatmap->setMessage(batches);
    showWaiting(plotNamed(QStringLiteral("accuracy")), tr("waiting for the first epoch's evaluation"));
    showWaiting(plotNamed(QStringLiteral("memory")), tr("waiting for the run to start"));
    m_progress->setFormat(tr("waiting for the run to start"));
    m_outcome = session->isRunning() ? tr("running") : tr("waiting for the run to start");
    setStatus(m_outcome);

    connect(session, &RunSession::started, this, &LiveView::onStarted);
    connect(session, &RunSession::progress, this, &LiveView::onProgress);
    connect(session, &RunSession::epochFinished, this, &LiveView::onEpochFinished);
    connect(session, &RunSession::targetReached, this, &LiveView::onTargetReached);
    connect(session, &RunSession::powerSamples, this, &LiveView::addPower);
    connect(session, &RunSession::pausedChanged, this, &LiveView::onPausedChanged);
    connect(session, &RunSession::storeProblem, this, &LiveView::onStoreProblem);
    connect(session, &RunSession::failed, this, &LiveView::onFailed);
    connect(session, &RunSession::finished, this, &LiveView::onFinished);
    connect(session, &QObject::destroyed, this, &LiveView::detach); // no more sampling for a run that is gone

    m_pause->setEnabled(true);
    m_stop->setEnabled(true);
    onPausedChanged(session->isPaused());
    if (session->isRunning()) { // attached late: the start event has gone by
        m_origin = monotonicSeconds();
        m_memoryTimer.start();
    }
}

void LiveView::detach()
{
    stopFollowing();
    m_memoryTimer.stop();
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = nullptr;
    m_pause->setEnabled(false);
    m_stop->setEnabled(false);
}

void LiveView::showStoredRun(RunStore &store, qint64 runId)
{
    detach();
    reset();
    try {
        const std::optional<RunRecord> run = store.run(runId);
        if (!run) {
            setStatus(tr("there is no run %1 in the store").arg(runId));
            return;
        }
        const QJsonObject spec = QJsonDocument::fromJson(run->specJson.toUtf8()).object();
        m_plannedEpochs = spec.value(QStringLiteral("training")).toObject().value(QStringLiteral("epochs")).toInt();
        setTitle(run->name, run->algorithm, run->dataset, runId);
        setBackendLine(run->device);
        Algorithm algorithm = Algorithm::FfInt8;
        if (algorithmFromName(run->algorithm.toStdString(), algorithm))
            setBackprop(!isForwardForward(algorithm));

        setUnits(store.units(runId));
        const std::vector<StoredEpoch> epochs = store.epochs(runId);
        const std::vector<StoredProgress> progress = store.progress(runId);
        const std::vector<PowerPoint> samples = store.samples(runId);
        if (!epochs.empty())
            m_origin = epochs.front().metrics.monotonicStart;
        else if (!samples.empty())
            m_origin = samples.front().seconds;

        for (const StoredProgress &p : progress)
            addProgress(p.step, p.metrics);
        for (const StoredEpoch &e : epochs)
            addEpoch(e.metrics);
        if (samples.empty())
            plotNamed(QStringLiteral("power"))->setMessage(tr("no power samples were recorded for this run"));
        else
            addPower(samples);
        if (run->peakRssBytes > 0 && !epochs.empty())
            plotNamed(QStringLiteral("memory"))
                ->append(m_peakRss, secondsSinceStart(epochs.back().metrics.monotonicEnd),
                         double(run->peakRssBytes) / kMiB);

        const int done = int(epochs.size());
        showStoredEpochCount(done);
        QString outcome = run->status;
        if (run->status == QLatin1String("completed") && !std::isnan(run->testAccuracy))
            outcome += tr(": %1 epochs, test accuracy %2").arg(run->epochsDone).arg(percent(run->testAccuracy));
        else if (!run->message.isEmpty())
            outcome += QStringLiteral(": ") + run->message;
        m_outcome = outcome;
        setStatus(outcome);
        if (run->status == QLatin1String("running"))
            follow(store, *run, progress.empty() ? -1 : progress.back().step, done,
                   samples.empty() ? -1e300 : samples.back().seconds);
    } catch (const std::exception &e) {
        setStatus(tr("cannot read run %1: %2").arg(runId).arg(QString::fromUtf8(e.what())));
    }
}

void LiveView::follow(RunStore &store, const RunRecord &run, qint64 lastStep, int epochsShown, double lastSample)
{
    const qint64 runId = run.id;
    m_follower = new StoredRunFollower(store, runId, lastStep, epochsShown, lastSample, this);
    setStatus(tr("running (on %1): following it in the store").arg(run.board));
    connect(m_follower, &StoredRunFollower::progressRead, this, [this](const std::vector<StoredProgress> &fresh) {
        for (const StoredProgress &p : fresh)
            addProgress(p.step, p.metrics);
    });
    connect(m_follower, &StoredRunFollower::epochsRead, this, [this](const std::vector<StoredEpoch> &fresh) {
        for (const StoredEpoch &e : fresh)
            addEpoch(e.metrics);
        showStoredEpochCount(fresh.back().metrics.epoch + 1);
    });
    connect(m_follower, &StoredRunFollower::samplesRead, this, [this](const std::vector<PowerPoint> &fresh) { addPower(fresh); });
    connect(m_follower, &StoredRunFollower::readFailed, this, [this](const QString &message) { setStatus(message); });
    connect(m_follower, &StoredRunFollower::runEnded, this, [this, &store, runId](const RunRecord &) {
        // Drawn once more from the store as a whole: the outcome, the run's last figures.
        QTimer::singleShot(0, this, [this, &store, runId] { showStoredRun(store, runId); });
    });
}

void LiveView::showStoredEpochCount(int done)
{
    m_progress->setValue(m_plannedEpochs > 0 ? std::min(kProgressSteps, done * kProgressSteps / m_plannedEpochs) : 0);
    m_progress->setFormat(m_plannedEpochs > 0 ? tr("%1 of %2 epochs stored").arg(done).arg(m_plannedEpochs)
                                              : tr("%1 epochs stored").arg(done));
}

void LiveView::stopFollowing()
{
    if (m_follower) {
        m_follower->stop();
        m_follower->deleteLater();
    }
    m_follower = nullptr;
}

QString LiveView::titleText() const
{
    return m_title->text();
}

void LiveView::setBackendLine(const QString &text)
{
    m_backendLine->setText(text);
    m_backendLine->setToolTip(text);
}

QString LiveView::backendText() const
{
    return m_backendLine->text();
}

QString LiveView::statusText() const
{
    return m_status->text();
}

QString LiveView::progressText() const
{
    return m_progress->text();
}

void LiveView::setTitle(const QString &name, const QString &algorithm, const QString &dataset, qint64 runId)
{
    m_titleParts = {name, algorithm, dataset};
    // A run with a store gets its id when it starts (or, failing before that, when it ends).
    const bool stored = !m_session || !m_session->options().databasePath.isEmpty();
    const QString id = runId > 0 ? tr("run %1").arg(runId) : stored ? tr("not stored yet") : tr("not stored");
    m_title->setText(QStringLiteral("%1 \u2014 %2 on %3 \u2014 %4")
                         .arg(name.isEmpty() ? tr("(unnamed)") : name, algorithm, dataset, id));
}

void LiveView::setStatus(const QString &text)
{
    QString line = text;
    // The run's target stays in view once it is reached, through pauses, the end and a store problem.
    if (!m_targetReached.isEmpty())
        line += QStringLiteral(" \u2014 ") + m_targetReached;
    if (!m_storeProblem.isEmpty())
        line += tr(" \u2014 store: ") + m_storeProblem;
    m_status->setText(line);
}

void LiveView::setBackprop(bool backprop)
{
    m_backprop = backprop;
    LivePlot *goodness = plotNamed(QStringLiteral("goodness"));
    LivePlot *separation = plotNamed(QStringLiteral("separation"));
    if (backprop) {
        // BP reports no goodness but each unit's output-gradient norm and, for the INT8 methods, the
        // direction deviation of its quantisation: the figures that explain BP-INT8's degradation.
        // Norms span decades from the head down: the heatmap colours them on a log scale.
        goodness->setTitleAndLabel(tr("Output-gradient norm of the chosen units (backpropagation)"), tr("norm"));
        separation->setTitleAndLabel(tr("INT8 gradient direction deviation of the chosen units (1 \u2212 cos)"),
                                     tr("deviation"));
        m_heatmap->setTitleAndScale(tr("Output-gradient norm by unit and step (log colour scale)"), tr("norm"),
                                    UnitHeatmap::Scale::Logarithmic);
    } else {
        goodness->setTitleAndLabel(tr("Goodness of the chosen units (positive solid, negative dashed)"), tr("goodness"));
        separation->setTitleAndLabel(tr("Separation of the chosen units (positive \u2212 negative)"),
                                     tr("goodness difference"));
        m_heatmap->setTitleAndScale(tr("Separation (positive \u2212 negative goodness) by unit and step"),
                                    tr("separation"), UnitHeatmap::Scale::Diverging);
    }
}

void LiveView::setUnits(const QStringList &names)
{
    if (names == m_units)
        return;
    LivePlot *goodness = plotNamed(QStringLiteral("goodness"));
    LivePlot *separation = plotNamed(QStringLiteral("separation"));
    const int units = int(names.size());
    const int capacity = unitSeriesCapacity(units);
    // Units already drawn keep their series (names only ever grow within a run); new ones get theirs.
    for (int u = int(m_goodnessPos.size()); u < units; ++u) {
        const QString &name = names[u];
        const QColor colour = unitColour(u, units);
        if (m_backprop) {
            m_goodnessPos.push_back(goodness->addSeries(name, colour, Qt::SolidLine, false, capacity));
            m_goodnessNeg.push_back(-1);
        } else {
            m_goodnessPos.push_back(goodness->addSeries(name + tr(" +"), colour, Qt::SolidLine, false, capacity));
            m_goodnessNeg.push_back(goodness->addSeries(name + tr(" \u2212"), colour, Qt::DashLine, false, capacity));
        }
        m_separation.push_back(separation->addSeries(name, colour, Qt::SolidLine, false, capacity));
    }
    // A colour map spreads over the whole run: units drawn before more were named take their new place.
    QList<QColor> colours;
    for (int u = 0; u < units; ++u) {
        colours << unitColour(u, units);
        goodness->setSeriesColour(m_goodnessPos[size_t(u)], colours.back());
        if (m_goodnessNeg[size_t(u)] >= 0)
            goodness->setSeriesColour(m_goodnessNeg[size_t(u)], colours.back());
        separation->setSeriesColour(m_separation[size_t(u)], colours.back());
    }
    m_units = names;
    m_heatmap->setUnits(names);
    m_unitPicker->setUnits(names); // selectionChanged: showChosenUnits
    m_unitPicker->setColours(colours);
}

void LiveView::ensureUnits(int count)
{
    if (count <= int(m_units.size()))
        return;
    QStringList names = m_units;
    while (int(names.size()) < count)
        names << fallbackUnitName(int(names.size()));
    setUnits(names);
}

void LiveView::showChosenUnits(const QList<int> &units)
{
    LivePlot *goodness = plotNamed(QStringLiteral("goodness"));
    LivePlot *separation = plotNamed(QStringLiteral("separation"));
    for (int u = 0; u < int(m_goodnessPos.size()); ++u) {
        const bool shown = units.contains(u);
        goodness->setSeriesVisible(m_goodnessPos[size_t(u)], shown);
        if (m_goodnessNeg[size_t(u)] >= 0)
            goodness->setSeriesVisible(m_goodnessNeg[size_t(u)], shown);
        separation->setSeriesVisible(m_separation[size_t(u)], shown);
    }
}

double LiveView::secondsSinceStart(double monotonic)
{
    if (!m_origin)
        m_origin = monotonic;
    return monotonic - *m_origin;
}

void LiveView::showWaiting(LivePlot *plot, const QString &text)
{
    plot->setMessage(text);
    m_waiting.insert(plot);
}

void LiveView::stopWaiting(LivePlot *plot)
{
    if (m_waiting.remove(plot))
        plot->setMessage(QString());
}

void LiveView::addProgress(qint64 step, const ProgressMetrics &metrics)
{
    ensureUnits(int(metrics.layers.size()));
    LivePlot *goodness = plotNamed(QStringLiteral("goodness"));
    LivePlot *separation = plotNamed(QStringLiteral("separation"));
    for (const char *name : {"goodness", "separation", "loss", "throughput"})
        stopWaiting(plotNamed(QString::fromLatin1(name)));
    bool anyFigure = false, anyDeviation = false;
    std::vector<double> mapped(metrics.layers.size(), NAN); // the heatmap's figure of each unit
    for (size_t l = 0; l < metrics.layers.size() && l < m_goodnessPos.size(); ++l) {
        const LayerMetrics &m = metrics.layers[l];
        // NaN (a figure this trainer does not have) is dropped by the plot. Every unit's series
        // receives its points, shown or not, so a unit chosen later has its whole history.
        if (m_backprop) {
            anyFigure = anyFigure || !std::isnan(m.gradNorm);
            anyDeviation = anyDeviation || !std::isnan(m.deviation);
            goodness->append(m_goodnessPos[l], double(step), m.gradNorm);
            separation->append(m_separation[l], double(step), m.deviation);
            mapped[l] = m.gradNorm;
        } else {
            anyFigure = anyFigure || !std::isnan(m.goodnessPos);
            goodness->append(m_goodnessPos[l], double(step), m.goodnessPos);
            goodness->append(m_goodnessNeg[l], double(step), m.goodnessNeg);
            mapped[l] = unitSeparation(m);
            separation->append(m_separation[l], double(step), mapped[l]);
        }
    }
    m_heatmap->append(step, mapped);
    if (!anyFigure && goodness->message().isEmpty()) {
        const QString why = tr("this trainer reports no per-unit figures");
        goodness->setMessage(why);
        separation->setMessage(why);
        m_heatmap->setMessage(why);
    } else if (m_backprop && !anyDeviation && separation->message().isEmpty()) {
        separation->setMessage(tr("no quantisation here: bp-fp32 has no INT8 gradient to deviate"));
    }
    if (anyFigure && !m_heatmap->message().isEmpty())
        m_heatmap->setMessage(QString()); // it waited for the first figures
    plotNamed(QStringLiteral("loss"))->append(m_loss, double(step), metrics.trainLoss);
    plotNamed(QStringLiteral("throughput"))->append(m_throughput, double(step), metrics.samplesPerSecond);
}

void LiveView::addEpoch(const EpochMetrics &metrics)
{
    LivePlot *accuracy = plotNamed(QStringLiteral("accuracy"));
    stopWaiting(accuracy);
    stopWaiting(plotNamed(QStringLiteral("memory")));
    if (metrics.testAccuracy >= 0)
        accuracy->append(m_testAccuracy, metrics.epoch + 1, metrics.testAccuracy * 100.0);
    if (metrics.validationAccuracy >= 0)
        accuracy->append(m_validationAccuracy, metrics.epoch + 1, metrics.validationAccuracy * 100.0);
    plotNamed(QStringLiteral("memory"))
        ->append(m_enginePeak, secondsSinceStart(metrics.monotonicEnd), double(metrics.memory.peakTotal) / kMiB);
}

void LiveView::addPower(const std::vector<PowerPoint> &points)
{
    if (points.empty())
        return;
    LivePlot *power = plotNamed(QStringLiteral("power"));
    power->setMessage(QString());
    for (const PowerPoint &p : points) {
        // The same trapezoid rule the run's energy figures use, one interval at a time.
        if (m_lastPower)
            m_energyJoules += integrateEnergy({*m_lastPower, p}).joules;
        m_lastPower = p;
        const double x = secondsSinceStart(p.seconds);
        power->append(m_watts, x, p.watts);
        power->append(m_joules, x, m_energyJoules);
    }
}

void LiveView::onStarted(qint64 runId, const QJsonObject &event)
{
    m_runId = runId;
    m_origin = monotonicSeconds();
    QStringList units;
    for (const QJsonValue &unit : event.value(QStringLiteral("units")).toArray())
        units << unit.toString();
    setUnits(units);
    const QJsonObject spec = event.value(QStringLiteral("spec")).toObject();
    setTitle(spec.value(QStringLiteral("name")).toString(), event.value(QStringLiteral("algo")).toString(),
             event.value(QStringLiteral("dataset")).toString(), runId);
    setBackendLine(event.value(QStringLiteral("backend")).toString() + QStringLiteral(": ")
                   + event.value(QStringLiteral("backend_description")).toString());
    const QJsonObject telemetry = event.value(QStringLiteral("telemetry")).toObject();
    const QString source = telemetry.value(QStringLiteral("source")).toString();
    LivePlot *power = plotNamed(QStringLiteral("power"));
    if (source.isEmpty() || source == QLatin1String("none")) {
        // The reason says why each source was passed over: too long for the plot, so its tooltip.
        const QString reason = telemetry.value(QStringLiteral("reason")).toString();
        power->setMessage(tr("no power source on this machine: energy is not measured\n(hover here for why)"));
        power->setToolTip(reason);
    } else if (!m_lastPower)
        power->setMessage(tr("waiting for samples from %1").arg(source));
    m_outcome = tr("running");
    setStatus(m_stopping ? tr("stopping after the current batch") : m_outcome);
    m_progress->setFormat(tr("epoch 1/%1 \u00b7 starting").arg(m_plannedEpochs));
    sampleProcessMemory();
    m_memoryTimer.start();
}

void LiveView::onProgress(const ProgressMetrics &metrics)
{
    const qint64 step = qint64(metrics.epoch) * metrics.batchesPerEpoch + metrics.batch;
    addProgress(step, metrics);

    const qint64 total = qint64(std::max(1, m_plannedEpochs)) * std::max(1, metrics.batchesPerEpoch);
    const double fraction = std::clamp(double(step) / double(total), 0.0, 1.0);
    m_progress->setValue(int(fraction * kProgressSteps));
    // Elapsed time includes evaluation and pauses so far, which the remaining epochs will have too.
    const QString eta = fraction > 0 ? duration(metrics.elapsedSeconds * (1.0 - fraction) / fraction) : tr("?");
    m_progress->setFormat(tr("epoch %1/%2 \u00b7 batch %3/%4 \u00b7 ETA %5")
                              .arg(metrics.epoch + 1)
                              .arg(m_plannedEpochs)
                              .arg(metrics.batch)
                              .arg(metrics.batchesPerEpoch)
                              .arg(eta));
}

void LiveView::onEpochFinished(const EpochMetrics &metrics)
{
    addEpoch(metrics);
    QString text = tr("running \u00b7 epoch %1 done").arg(metrics.epoch + 1);
    if (metrics.testAccuracy >= 0)
        text += tr(", test accuracy %1").arg(percent(metrics.testAccuracy));
    m_outcome = text;
    // An epoch that ends while the run stops does not make it look as if it goes on.
    setStatus(m_stopping ? tr("stopping after the current batch") : text);
}

void LiveView::onTargetReached(const EpochMetrics &metrics, const QJsonObject &event)
{
    m_targetReached = tr("target %1 reached in epoch %2 after %3 of training")
                          .arg(percent(event.value(QStringLiteral("target_acc")).toDouble()))
                          .arg(metrics.epoch + 1)
                          .arg(duration(metrics.runTrainSeconds));
    setStatus(m_stopping ? tr("stopping after the current batch") : m_outcome);
}

void LiveView::onPausedChanged(bool paused)
{
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    if (m_session && m_session->isRunning())
        setStatus(paused ? tr("paused") : m_outcome);
}

void LiveView::onStoreProblem(const QString &message)
{
    m_storeProblem = message;
    setStatus(m_outcome);
}

void LiveView::onFailed(const QString &message)
{
    m_outcome = tr("failed: %1").arg(message);
    setStatus(m_outcome);
}

void LiveView::onFinished(const RunSummary &summary)
{
    m_memoryTimer.stop();
    // A run that failed before it started is recorded now: its header names the stored run.
    if (m_runId == 0 && m_session && m_session->runId() > 0) {
        m_runId = m_session->runId();
        setTitle(m_titleParts.value(0), m_titleParts.value(1), m_titleParts.value(2), m_runId);
    }
    sampleProcessMemory();
    const QString status = QString::fromUtf8(runStatusName(summary.status));
    const QString message = QString::fromStdString(summary.message);
    QString text = status;
    switch (summary.status) {
    case RunStatus::Completed:
        text += tr(": %1 epochs").arg(summary.epochsCompleted);
        if (summary.testAccuracy >= 0)
            text += tr(", test accuracy %1").arg(percent(summary.testAccuracy));
        break;
    case RunStatus::Cancelled:
        text += tr(" after %1 epochs").arg(summary.epochsCompleted);
        break;
    case RunStatus::Diverged:
    case RunStatus::Failed:
        break;
    }
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    m_outcome = text;
    setStatus(text);
    if (summary.status == RunStatus::Completed)
        m_progress->setValue(kProgressSteps);
    m_progress->setFormat(tr("%1 \u00b7 %2 of %3 epochs \u00b7 %4")
                              .arg(status)
                              .arg(summary.epochsCompleted)
                              .arg(m_plannedEpochs)
                              .arg(duration(summary.totalSeconds)));
    m_pause->setEnabled(false);
    m_stop->setEnabled(false);
    emit runEnded(m_runId, status);
}

void LiveView::sampleProcessMemory()
{
    const ProcessMemory memory = readProcessMemory();
    if (memory.rssBytes == 0)
        return; // no /proc here: nothing measured, nothing drawn
    stopWaiting(plotNamed(QStringLiteral("memory")));
    plotNamed(QStringLiteral("memory"))
        ->append(m_rss, secondsSinceStart(monotonicSeconds()), double(memory.rssBytes) / kMiB);
}

void LiveView::togglePause()
{
    if (!m_session)
        return;
    if (m_session->isPaused())
        m_session->resume();
    else
        m_session->pause();
}

void LiveView::requestStop()
{
    if (!m_session)
        return;
    m_session->stop();
    showStopping(m_session);
}

void LiveView::showStopping(RunSession *session)
{
    if (!m_session || session != m_session)
        return;
    m_stopping = true;
    // A stopping run ends even while paused; pausing or resuming it now would change nothing.
    m_stop->setEnabled(false);
    m_pause->setEnabled(false);
    setStatus(tr("stopping after the current batch"));
}

} // namespace ffint8
