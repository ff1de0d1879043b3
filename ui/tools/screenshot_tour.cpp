// ffint8-screenshots: takes the README's screenshots of a real session at 1366x768. It opens a suite
// of the quick demo (FF-INT8 with and without look-ahead, BP-FP32) in the workbench's own launcher,
// queues its runs, and grabs each tab as it looks with real data: nothing drawn here is made up.
#include "app/session/run_queue.h"
#include "ui/browser/runs_browser.h"
#include "ui/compare/compare_view.h"
#include "ui/launcher/launch_panel.h"
#include "ui/launcher/launcher_form.h"
#include "ui/live/live_view.h"
#include "ui/main_window.h"

#include <QPushButton>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QElapsedTimer>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <cstdio>
#include <functional>

namespace {

// Processes events until `done` or `seconds` pass; false on timeout.
bool waitFor(const std::function<bool()> &done, int seconds)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > seconds * 1000)
            return false;
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}

bool grabTab(ffint8::MainWindow &window, QWidget *tab, const QString &path)
{
    window.tabs()->setCurrentWidget(tab);
    // Let the plots' coalesced redraw run before the grab.
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 400)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    const bool saved = window.grab().save(path);
    std::printf("%s %s\n", saved ? "wrote" : "could not write", qPrintable(path));
    return saved;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("docs/screenshots");
    if (!QDir().mkpath(out)) {
        std::fprintf(stderr, "ffint8-screenshots: cannot create %s\n", qPrintable(out));
        return 1;
    }
    // A fresh store and fresh window settings, so the pictures show this session only.
    QTemporaryDir scratch;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, scratch.filePath("config"));
    QApplication::setOrganizationName(QStringLiteral("ffint8"));
    QApplication::setApplicationName(QStringLiteral("ffint8-screenshots"));

    // The laptop screen the workbench must be readable on.
    ffint8::MainWindow window(scratch.filePath("runs.sqlite"));
    window.resize(1366, 768);
    window.show();
    const QString suitePath = scratch.filePath("quick-methods.json");
    QFile suiteFile(suitePath);
    if (!suiteFile.open(QIODevice::WriteOnly)
        || suiteFile.write(R"({"format": "ffint8-suite", "version": 1, "name": "quick-methods", "base": "quick",
            "description": "The quick demo with each method: FF-INT8 with and without look-ahead, BP-FP32.",
            "runs": [{"name": "ff-int8, look-ahead on", "set": {"algorithm": "ff-int8"}},
                     {"name": "ff-int8, look-ahead off", "set": {"algorithm": "ff-int8", "ff.lookahead.enabled": false}},
                     {"name": "bp-fp32", "set": {"algorithm": "bp-fp32"}}]})") < 0) {
        std::fprintf(stderr, "ffint8-screenshots: cannot write %s\n", qPrintable(suitePath));
        return 1;
    }
    suiteFile.close();
    QString error;
    if (!window.launchPanel()->form()->loadFile(suitePath, &error)) {
        std::fprintf(stderr, "ffint8-screenshots: %s\n", qPrintable(error));
        return 1;
    }
    bool ok = grabTab(window, window.launchPanel(), out + QStringLiteral("/launcher.png"));
    window.launchPanel()->queueSuiteButton()->click();
    if (!window.queue()->isRunning()) {
        std::fprintf(stderr, "ffint8-screenshots: the suite was not queued\n");
        return 1;
    }
    if (!waitFor([&] { return !window.queue()->isRunning() && window.queue()->pending().isEmpty(); }, 1200)) {
        std::fprintf(stderr, "ffint8-screenshots: the runs did not finish within 20 minutes\n");
        return 1;
    }
    ok = grabTab(window, window.liveView(), out + QStringLiteral("/live.png")) && ok;
    window.browser()->refresh();
    ok = grabTab(window, window.browser(), out + QStringLiteral("/runs.png")) && ok;
    QList<qint64> ids;
    for (const ffint8::RunRecord &r : window.store()->runs())
        ids << r.id; // by id: the suite's order

    window.browser()->selectRuns(ids);
    emit window.browser()->compareRequested(ids);
    ok = grabTab(window, window.compareView(), out + QStringLiteral("/compare.png")) && ok;
    return ok ? 0 : 1;
}
