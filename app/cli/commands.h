// The ffint8 commands; each returns the process exit code.
#pragma once

#include <QStringList>

namespace ffint8 {

// Exit codes shared by all commands.
enum ExitCode { ExitOk = 0, ExitError = 1, ExitUsage = 2, ExitDiverged = 3, ExitCancelled = 4 };

int trainCommand(const QStringList &args);
int runCommand(const QStringList &args);
int exportCommand(const QStringList &args);
int evalCommand(const QStringList &args);
int benchCommand(const QStringList &args);
int compareCommand(const QStringList &args);
int runsCommand(const QStringList &args);
int backendsCommand(const QStringList &args);
int telemetryCommand(const QStringList &args);
int modelCommand(const QStringList &args);
int dataCommand(const QStringList &args);
int workerCommand(const QStringList &args);
int queueCommand(const QStringList &args);

} // namespace ffint8
