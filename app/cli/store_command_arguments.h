// What `ffint8 runs` and `ffint8 queue` read alike: `ffint8 COMMAND ACTION [ARGS...]` with the store
// (--db) and JSON output (--json); each command reads its own flags besides.
#pragma once

#include "app/cli/argument_reader.h"
#include "app/store/run_store.h"

namespace ffint8 {

struct StoreCommandArguments
{
    QString action;
    QStringList positional; // the action's arguments
    QString database = RunStore::defaultPath();
    bool json = false;

    // Takes the reader's current argument when it is the action, one of its arguments, --db or
    // --json; false for any other flag, which the command reads itself.
    bool read(ArgumentReader &reader)
    {
        const QString &arg = reader.current();
        if (!reader.isFlag())
            (action.isEmpty() ? action : positional.emplace_back()) = arg;
        else if (arg == "--db")
            database = reader.value();
        else if (arg == "--json")
            json = true;
        else
            return false;
        return true;
    }
};

} // namespace ffint8
