// Walks a command's arguments: positional values, `--flag value` and `--flag=value`, so that
// every ffint8 command reads its command line the same way.
#pragma once

#include "app/spec/spec_error.h"

#include <QStringList>

namespace ffint8 {

class ArgumentReader
{
public:
    explicit ArgumentReader(const QStringList &args) : m_args(args) {}

    // Moves to the next argument; false when there is none.
    bool next()
    {
        if (++m_index >= m_args.size())
            return false;
        const QString &arg = m_args[m_index];
        m_isFlag = arg.startsWith("--");
        const int eq = m_isFlag ? int(arg.indexOf('=')) : -1;
        m_flag = eq > 0 ? arg.left(eq) : arg;
        m_inlineValue = eq > 0 ? arg.mid(eq + 1) : QString();
        m_hasInlineValue = eq > 0;
        return true;
    }
    bool isFlag() const { return m_isFlag; }
    // The flag's name (without any `=value`), or the positional argument itself.
    const QString &current() const { return m_flag; }
    // The current flag's value: after `=`, or the next argument. Throws SpecError when there is none.
    QString value()
    {
        if (m_hasInlineValue)
            return m_inlineValue;
        if (m_index + 1 >= m_args.size())
            throw SpecError(QStringLiteral("flag %1 needs a value").arg(m_flag));
        return m_args[++m_index];
    }

private:
    const QStringList &m_args;
    int m_index = -1;
    bool m_isFlag = false;
    bool m_hasInlineValue = false;
    QString m_flag;
    QString m_inlineValue;
};

} // namespace ffint8
