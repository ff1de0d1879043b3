// ffint8-screenshots: takes the README's screenshots of a real session. It trains the quick demo
// twice (with and without look-ahead) through the workbench's own launcher and queue, and grabs
// each tab as it looks with real data: nothing drawn here is made up.
#include "app/session/run_queue.h"
#include "ui/browser/runs_browser.h"
#include "ui/compare/compare_view.h"
#include "ui/launcher/launch_panel.h"
#include "ui/launcher/launcher_form.h"
#include "ui/live/live_view.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QDir>
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

    ffint8::MainWindow window(scratch.filePath("runs.sqlite"));
    window.resize(1440, 900);
    window.show();
    ffint8::LauncherForm *form = window.launchPanel()->form();
    QString error;
    if (!form->loadPreset(QStringLiteral("quick"), &error)) {
        std::fprintf(stderr, "ffint8-screenshots: %s\n", qPrintable(error));
        return 1;
    }
    form->setFieldText(QStringLiteral("name"), QStringLiteral("quick, look-ahead off"));
    form->setFieldText(QStringLiteral("ff.lookahead.enabled"), QStringLiteral("off"));
    form->setFieldText(QStringLiteral("telemetry.source"), QStringLiteral("auto"));
    bool ok = window.launchPanel()->requestRun();
    form->loadPreset(QStringLiteral("quick"), nullptr);
    form->setFieldText(QStringLiteral("name"), QStringLiteral("quick, look-ahead on"));
    ok = ok && window.launchPanel()->requestRun();
    if (!ok) {
        std::fprintf(stderr, "ffint8-screenshots: %s\n", qPrintable(window.launchPanel()->problems()));
        return 1;
    }
    ok = grabTab(window, window.launchPanel(), out + QStringLiteral("/launcher.png"));
    if (!waitFor([&] { return !window.queue()->isRunning() && window.queue()->pending().isEmpty(); }, 600)) {
        std::fprintf(stderr, "ffint8-screenshots: the runs did not finish within 10 minutes\n");
        return 1;
    }
    ok = grabTab(window, window.liveView(), out + QStringLiteral("/live.png")) && ok;
    window.browser()->refresh();
    ok = grabTab(window, window.browser(), out + QStringLiteral("/runs.png")) && ok;
    QList<qint64> ids;
    for (const ffint8::RunRecord &r : window.store()->runs())
        ids << r.id;
    window.browser()->selectRuns(ids);
    emit window.browser()->compareRequested(ids);
    ok = grabTab(window, window.compareView(), out + QStringLiteral("/compare.png")) && ok;
    return ok ? 0 : 1;
}
