// ffint8: the workbench's command line.
#include "app/cli/command_help.h"
#include "app/cli/command_line.h"
#include "app/cli/commands.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("ffint8");
    QCoreApplication::setApplicationVersion(FFINT8_VERSION);
    using ffint8::asksForHelp;
    QStringList args = app.arguments().mid(1);
    const QString command = args.isEmpty() ? QStringLiteral("help") : args.takeFirst();
    // `ffint8 COMMAND -h` and `ffint8 help COMMAND`: the command's usage, whatever else is given.
    const bool helpCommand = command == "help" && !args.isEmpty() && !asksForHelp(args);
    const QString helpOf = helpCommand ? args.first() : asksForHelp(args) ? command : QString();
    if (!helpOf.isEmpty()) {
        const QString usage = ffint8::commandUsage(helpOf);
        if (usage.isEmpty()) {
            QTextStream(stderr) << "ffint8 help: unknown command '" << helpOf << "'\n";
            return ffint8::ExitUsage;
        }
        QTextStream(stdout) << usage;
        return ffint8::ExitOk;
    }
    if (command == "train")
        return ffint8::trainCommand(args);
    if (command == "run")
        return ffint8::runCommand(args);
    if (command == "export")
        return ffint8::exportCommand(args);
    if (command == "eval")
        return ffint8::evalCommand(args);
    if (command == "bench")
        return ffint8::benchCommand(args);
    if (command == "compare")
        return ffint8::compareCommand(args);
    if (command == "runs")
        return ffint8::runsCommand(args);
    if (command == "backends")
        return ffint8::backendsCommand(args);
    if (command == "telemetry")
        return ffint8::telemetryCommand(args);
    if (command == "model")
        return ffint8::modelCommand(args);
    if (command == "data")
        return ffint8::dataCommand(args);
    if (command == "worker")
        return ffint8::workerCommand(args);
    if (command == "queue")
        return ffint8::queueCommand(args);
    if (command == "help" || command == "--help" || command == "-h") {
        QTextStream(stdout) << ffint8::usageText();
        return ffint8::ExitOk;
    }
    if (command == "--version") {
        QTextStream(stdout) << "ffint8 " << FFINT8_VERSION << "\n";
        return ffint8::ExitOk;
    }
    QTextStream(stderr) << "ffint8: unknown command '" << command
                        << "'; valid: train, run, runs, worker, queue, export, eval, bench, compare, backends, telemetry, model, data, help\n";
    return ffint8::ExitUsage;
}
