// Compiles an exported LaTeX table with pdflatex in the smallest document it asks for, so that tests
// check that real TeX accepts it.
#pragma once

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>

namespace ffint8::testing {

struct LatexRun
{
    bool compiled = false;
    QString output; // the end of pdflatex's output, for a failure message
    QString log;    // the .log file (overfull boxes are reported there)
};

// pdflatex's path, or empty where TeX is not installed.
inline QString pdflatexProgram() { return QStandardPaths::findExecutable("pdflatex"); }

// Writes `dir`/`base`.tex (article, booktabs, graphicx, then `table`) and compiles it.
inline LatexRun compileLatexTable(const QString &dir, const QString &base, const QString &table)
{
    LatexRun run;
    QFile doc(QDir(dir).filePath(base + ".tex"));
    if (!doc.open(QIODevice::WriteOnly))
        return run;
    doc.write("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\begin{document}\n" +
              table.toUtf8() + "\\end{document}\n");
    doc.close();
    QProcess latex;
    latex.setWorkingDirectory(dir);
    latex.start(pdflatexProgram(), {"-interaction=nonstopmode", "-halt-on-error", base + ".tex"});
    run.compiled = latex.waitForFinished(120000) && latex.exitStatus() == QProcess::NormalExit && latex.exitCode() == 0 &&
                   QFileInfo(QDir(dir).filePath(base + ".pdf")).size() > 0;
    run.output = QString::fromUtf8(latex.readAllStandardOutput()).right(900);
    QFile log(QDir(dir).filePath(base + ".log"));
    if (log.open(QIODevice::ReadOnly))
        run.log = QString::fromUtf8(log.readAll());
    return run;
}

} // namespace ffint8::testing
