// `ffint8 COMMAND --help`: each command's usage and flags, one line of meaning each, in groups. The
// run settings' lines come from the settings table, so the help cannot drift from what is accepted.
#pragma once

#include <QString>
#include <QStringList>

namespace ffint8 {

// The usage of `command` (train, run, runs, ...), or an empty string for no such command.
QString commandUsage(const QString &command);

// Whether the arguments after the command ask for its help (-h or --help, before any `--`).
bool asksForHelp(const QStringList &args);

} // namespace ffint8
