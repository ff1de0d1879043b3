// Text made safe for pdfLaTeX: every special character escaped, and what it cannot typeset mapped or
// left out (and said so), so that a result table compiles whatever a run is named.
#pragma once

#include <QList>
#include <QString>

namespace ffint8 {

// `text` as LaTeX that typesets it: \ { } $ & # ^ _ % ~ | < > escaped (| < > as text symbols, which
// the default OT1 font would otherwise print as other glyphs); Latin-1 kept (LaTeX reads UTF-8 by
// default) except the six that OT1 lacks (« » Ð ð Þ þ, written $\ll$ $\gg$ D d Th th); a few common
// characters beyond it mapped (dashes, curly quotes, ellipsis, the minus); newlines and tabs made
// spaces. Any other character (CJK, emoji, ...) is left out and its code point added to `dropped`,
// when given, so that the caller can say so.
QString latexEscaped(const QString &text, QList<char32_t> *dropped = nullptr);

// "U+1F680, U+4E2D": the code points, for a note under a table.
QString codePointList(const QList<char32_t> &codePoints);

} // namespace ffint8
