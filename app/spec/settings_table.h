// Every setting of a training run once: its JSON path in a spec, its command-line flag, its
// allowed values and how it is applied. Specs and flags share this table, so they validate alike.
#pragma once

#include "engine/train/train_config.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace ffint8 {

// Seed: an unsigned 64-bit integer, written to JSON without loss (json_integer.h).
enum class SettingKind { Integer, Number, Choice, Switch, IntegerList, Text, Seed };

struct Setting
{
    QString path; // in a spec, e.g. "training.lr"
    QString flag; // on the command line, e.g. "--lr"
    SettingKind kind;
    QStringList choices; // for Choice
    QString help;
    std::function<void(TrainConfig &, const QString &)> apply; // throws SpecError on a bad value
    std::function<QString(const TrainConfig &)> get;
};

const std::vector<Setting> &settingsTable();
const Setting *settingByPath(const QString &path);
const Setting *settingByFlag(const QString &flag);
// The default as help shows it: TrainConfig's, or for the learning rate each method's own.
QString defaultTextOf(const Setting &setting);
// The groups of a spec ("training", "ff", "ff.lookahead", ...): objects that hold settings.
QStringList settingGroups();

} // namespace ffint8
