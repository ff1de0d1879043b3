// One-time setup of the harnesses over the Qt application layer: an application object (the SQL
// driver plugins are found through it) and a working folder of their own, so that relative paths
// in fuzzed arguments land in a scratch folder.
#pragma once

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

namespace ffint8::fuzz {

inline void initialiseQt(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    static QTemporaryDir work;
    QDir::setCurrent(work.path());
}

} // namespace ffint8::fuzz
