// The paper layout's columns: a run's method (the algorithm, FF's loss, look-ahead off), and where
// runs of one method and model differ in other settings (a learning rate, a lambda schedule, the
// epochs), those settings too, so that a cell averages repetitions of one experiment (seeds) and
// never two experiments.
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace ffint8 {

struct ColumnRun
{
    QString row;    // the table row the run falls in (its model, and board where rows are by board)
    QString method; // its method as the paper layout names it ("ff-int8 class-groups")
    QMap<QString, QString> params; // its stored settings by spec path
};

struct MethodColumns
{
    // One label per run, in the runs' order: the method, followed by the settings in which the run
    // differs from the method's most common values, e.g. "ff-int8 (ff.lookahead.cap=0.1)".
    QStringList labels;
    // For each split method, what a label without settings stands for:
    // "ff-int8: ff.lookahead.cap=1, ff.lookahead.start=1".
    QStringList commonSettings;
};

// A setting splits a method's columns when two of its runs in one row hold different values; never
// the seed, the row's own settings, nor a setting the method does not read. A split method's most
// common value of each such setting is the one most of its runs hold (the first seen on a tie);
// the labels name only the others, so that two experiments never share a label.
MethodColumns methodColumns(const QList<ColumnRun> &runs);

} // namespace ffint8
