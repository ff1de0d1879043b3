// Last folders per purpose, in QSettings under "folders/".
#include "ui/settings/last_folder.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace ffint8 {

QString lastFolder(const QString &purpose, const QString &fileName)
{
    const QString folder = QSettings().value(QStringLiteral("folders/") + purpose, QDir::homePath()).toString();
    return fileName.isEmpty() ? folder : QDir(folder).filePath(fileName);
}

void rememberFolder(const QString &purpose, const QString &chosenPath)
{
    if (!chosenPath.isEmpty())
        QSettings().setValue(QStringLiteral("folders/") + purpose, QFileInfo(chosenPath).absolutePath());
}

} // namespace ffint8
