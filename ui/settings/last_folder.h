// The folder a file dialog last used for one purpose ("specs", "plots", "tables"), kept in QSettings
// so the next dialog of that purpose opens there, across sessions.
#pragma once

#include <QString>

namespace ffint8 {

// The folder last used for `purpose` (the home folder the first time), joined with `fileName` if given.
QString lastFolder(const QString &purpose, const QString &fileName = QString());
// Remembers the folder of `chosenPath`; an empty path (a cancelled dialog) changes nothing.
void rememberFolder(const QString &purpose, const QString &chosenPath);

} // namespace ffint8
