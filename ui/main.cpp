// ffint8-workbench: the workbench's window. `--run SPEC` starts an experiment (a spec file or a
// built-in preset) at once, or queues every run of a suite; `--db PATH` opens that run store instead of the configured one.
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ffint8"));
    QApplication::setApplicationName(QStringLiteral("ffint8-workbench"));
    QApplication::setApplicationVersion(QStringLiteral(FFINT8_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("FF-INT8 Workbench: launch, watch, browse, compare and export "
                                                    "Forward-Forward INT8 training runs."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption run(QStringLiteral("run"),
                                 QStringLiteral("Start this experiment at once: a spec file or a preset name; a suite "
                                                "(file or built-in) queues all its runs."),
                                 QStringLiteral("SPEC"));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Open this run store: an SQLite file, or postgresql://USER@HOST:PORT/DBNAME (password from PGPASSWORD or ~/.pgpass)."),
                                QStringLiteral("PATH"));
    parser.addOption(run);
    parser.addOption(db);
    parser.process(app);

    ffint8::MainWindow window(parser.value(db));
    window.show();
    if (parser.isSet(run)) {
        QString error;
        if (!window.launchSpec(parser.value(run), &error)) {
            // Shown in the window too; on stderr for the terminal that started it.
            std::fprintf(stderr, "ffint8-workbench: %s\n", qPrintable(error));
        }
    }
    return app.exec();
}
