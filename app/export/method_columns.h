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

// One column label per run, in the runs' order: the method, followed where needed by the settings
// that set it apart, e.g. "ff-int8 class-groups (ff.lookahead.cap=1, ff.lookahead.start=1)". A setting
// splits a method's columns when two of its runs in one row hold different values, both stored;
// never the seed, the row's own settings, nor a setting the method does not read.
QStringList methodColumns(const QList<ColumnRun> &runs);

} // namespace ffint8
