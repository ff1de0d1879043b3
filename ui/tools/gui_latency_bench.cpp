// ffint8-gui-latency-bench: how late the GUI thread's event loop runs while a real run trains at full
// speed into a live view, and what redrawing a million-point series costs.
#include "app/session/run_session.h"
#include "app/spec/experiment_spec.h"
#include "ui/live/live_view.h"
#include "ui/plot/live_plot.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <vector>

using namespace ffint8;

namespace {

struct Options
{
    QString spec;
    int trainLimit = 6000;
    int epochs = 2;
    int metricsEvery = 1; // the most events the GUI can be sent
    int threads = -1; // -1: as the spec says
    QString telemetry = QStringLiteral("auto");
    QString db; // empty: the run is not stored
    qint64 points = 1000000;
};

void usage()
{
    std::printf("usage: ffint8-gui-latency-bench [--spec FILE] [--train-limit N] [--epochs N] [--metrics-every N]\n"
                "       [--threads N] [--telemetry SOURCE] [--db FILE | --no-db] [--points N]\n");
}

bool parse(const QStringList &args, Options &o)
{
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&]() -> QString { return i + 1 < args.size() ? args[++i] : QString(); };
        bool ok = true;
        if (a == "--spec")
            o.spec = value();
        else if (a == "--train-limit")
            o.trainLimit = value().toInt(&ok);
        else if (a == "--epochs")
            o.epochs = value().toInt(&ok);
        else if (a == "--metrics-every")
            o.metricsEvery = value().toInt(&ok);
        else if (a == "--threads")
            o.threads = value().toInt(&ok);
        else if (a == "--telemetry")
            o.telemetry = value();
        else if (a == "--db")
            o.db = value();
        else if (a == "--no-db")
            o.db.clear();
        else if (a == "--points")
            o.points = value().toLongLong(&ok);
        else
            ok = false;
        if (!ok) {
            std::printf("bad argument: %s\n", qPrintable(a));
            return false;
        }
    }
    return true;
}

double percentile(std::vector<double> sorted, double q)
{
    if (sorted.empty())
        return NAN;
    std::sort(sorted.begin(), sorted.end());
    const size_t rank = size_t(std::ceil(q * double(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

int totalRedraws(const LiveView &view)
{
    int n = 0;
    for (const LivePlot *p : view.plots())
        n += p->redrawCount();
    return n;
}

// Part 1: a real run into a LiveView, with a 5 ms timer measuring how late the event loop is.
bool runLatency(const Options &o)
{
    ExperimentSpec spec;
    try {
        spec = parseSpecFile(o.spec);
    } catch (const std::exception &e) {
        std::printf("cannot read the spec: %s\n", e.what());
        return false;
    }
    spec.config.trainLimit = o.trainLimit;
    spec.config.epochs = o.epochs;
    spec.config.metricsEvery = o.metricsEvery;
    if (o.threads >= 0)
        spec.config.threads = o.threads;
    SessionOptions options;
    options.spec = spec;
    options.databasePath = o.db;
    options.telemetry = o.telemetry;
    RunSession session(options);

    LiveView view;
    view.resize(1400, 1000);
    view.show();
    view.attach(&session);

    int progressEvents = 0, epochEvents = 0, powerBatches = 0;
    QString telemetrySource;
    QObject::connect(&session, &RunSession::progress, &view, [&] { ++progressEvents; });
    QObject::connect(&session, &RunSession::epochFinished, &view, [&] { ++epochEvents; });
    QObject::connect(&session, &RunSession::powerSamples, &view, [&] { ++powerBatches; });
    QObject::connect(&session, &RunSession::started, &view, [&](qint64, const QJsonObject &event) {
        telemetrySource = event.value("telemetry").toObject().value("source").toString();
    });

    // How late each tick of a 5 ms timer comes: the time the GUI thread could not answer.
    constexpr double kTickMs = 5.0;
    std::vector<double> lateness;
    QElapsedTimer clock;
    qint64 lastTick = -1;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(int(kTickMs));
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (lastTick >= 0)
            lateness.push_back(std::max(0.0, double(now - lastTick) / 1e6 - kTickMs));
        lastTick = now;
    });

    QEventLoop loop;
    QString status;
    QObject::connect(&view, &LiveView::runEnded, &loop, [&](qint64, const QString &s) {
        status = s;
        loop.quit();
    });
    const int redrawsBefore = totalRedraws(view);
    clock.start();
    tick.start();
    session.start();
    loop.exec();
    tick.stop();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    session.wait();
    const int redraws = totalRedraws(view) - redrawsBefore;
    int busiest = 0;
    for (const LivePlot *p : view.plots())
        busiest = std::max(busiest, p->redrawCount());

    std::printf("\nPart 1: GUI event loop while a run trains (%s)\n", qPrintable(QFileInfo(o.spec).fileName()));
    std::printf("  run                     %s, %s, train limit %d, %d epochs, metrics every %d batch(es)\n",
                qPrintable(spec.name), qPrintable(QString::fromUtf8(algorithmName(spec.config.algorithm))),
                o.trainLimit, o.epochs, o.metricsEvery);
    std::printf("  outcome                 %s (%s)\n", qPrintable(status), qPrintable(view.statusText()));
    std::printf("  power source            %s\n", qPrintable(telemetrySource.isEmpty() ? "-" : telemetrySource));
    std::printf("  store                   %s\n", o.db.isEmpty() ? "none (--no-db)" : qPrintable(o.db));
    std::printf("  wall time               %.2f s\n", seconds);
    std::printf("  events received         %d progress, %d epoch, %d power batches (%.0f per s)\n", progressEvents,
                epochEvents, powerBatches, double(progressEvents + epochEvents + powerBatches) / seconds);
    std::printf("  5 ms timer ticks        %zu\n", lateness.size() + 1);
    std::printf("  event-loop latency      worst %.2f ms, p99 %.2f ms, p50 %.3f ms\n",
                lateness.empty() ? NAN : *std::max_element(lateness.begin(), lateness.end()),
                percentile(lateness, 0.99), percentile(lateness, 0.50));
    std::printf("  redraws                 %d over %d plots: %.1f per s in all, busiest plot %.1f per s (cap %d)\n",
                redraws, int(view.plots().size()), double(redraws) / seconds, double(busiest) / seconds,
                LivePlot::kMaxRedrawsPerSecond);
    std::fflush(stdout);
    return status == QLatin1String("completed");
}

// Part 2: a million points fed in chunks as a run would, then the cost of redrawing them.
void runMillion(const Options &o)
{
    LivePlot plot(QStringLiteral("million"), QStringLiteral("step"), QStringLiteral("value"));
    const int series = plot.addSeries(QStringLiteral("synthetic"), QColor(31, 119, 180));
    plot.resize(1400, 600);
    plot.show();
    QCoreApplication::processEvents();

    constexpr int kChunk = 1000;
    QElapsedTimer clock;
    clock.start();
    for (qint64 i = 0; i < o.points;) {
        for (int k = 0; k < kChunk && i < o.points; ++k, ++i)
            plot.append(series, double(i), std::sin(double(i) * 1e-4) + 0.1 * std::sin(double(i) * 0.37));
        // A chunk every 2 ms (500,000 points a second), the event loop running in between, so the
        // coalescing timer redraws as the buffer fills and merges, as it would during a run.
        QEventLoop pause;
        QTimer::singleShot(2, Qt::PreciseTimer, &pause, &QEventLoop::quit);
        pause.exec();
    }
    const double feedSeconds = double(clock.nsecsElapsed()) / 1e9;
    const double worstDuringFeed = plot.worstRedrawMilliseconds();
    const int redrawsDuringFeed = plot.redrawCount();
    double worstForced = 0.0;
    for (int r = 0; r < 5; ++r) {
        plot.redrawNow();
        worstForced = std::max(worstForced, plot.lastRedrawMilliseconds());
    }

    std::printf("\nPart 2: a series of %lld points (synthetic values) in one LivePlot, %dx%d px\n",
                static_cast<long long>(o.points), plot.width(), plot.height());
    std::printf("  points received         %lld in chunks of %d every 2 ms, fed in %.2f s\n",
                static_cast<long long>(plot.pointCount(series)), kChunk, feedSeconds);
    std::printf("  redraws while feeding   %d, worst %.2f ms\n", redrawsDuringFeed, worstDuringFeed);
    std::printf("  forced redraw           worst of 5: %.2f ms, %d points drawn\n", worstForced,
                plot.drawnPointCount(series));
    std::printf("  buffer memory           %.1f KiB (the raw series would be %.1f MiB)\n",
                double(plot.bufferBytes()) / 1024.0, double(o.points) * 2 * sizeof(double) / (1024.0 * 1024.0));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    // Measurable over SSH and in CI: without a display, draw offscreen.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    Options o;
    if (!parse(app.arguments(), o)) {
        usage();
        return 2;
    }
    if (o.spec.isEmpty())
        o.spec = QStringLiteral(":/experiments/quick.json"); // the quick preset, built into ffint8_app
    std::printf("ffint8-gui-latency-bench (Qt %s, platform %s)\n", qVersion(),
                qPrintable(QGuiApplication::platformName()));
    std::fflush(stdout);
    const bool completed = runLatency(o);
    runMillion(o);
    return completed ? 0 : 1;
}
