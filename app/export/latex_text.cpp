// Escaping for pdfLaTeX.
#include "app/export/latex_text.h"

#include <QStringList>

namespace ffint8 {

QString latexEscaped(const QString &text, QList<char32_t> *dropped)
{
    QString result;
    for (const char32_t c : text.toUcs4()) {
        switch (c) {
        case '\\': result += "\\textbackslash{}"; break;
        case '&': case '%': case '$': case '#': case '_': case '{': case '}': result += '\\' + QChar(c); break;
        case '~': result += "\\textasciitilde{}"; break;
        case '^': result += "\\textasciicircum{}"; break;
        case '|': result += "\\textbar{}"; break;
        case '<': result += "\\textless{}"; break;
        case '>': result += "\\textgreater{}"; break;
        case '\n': case '\r': case '\t': result += ' '; break;
        case 0x00A0: result += '~'; break;        // a no-break space
        case 0x00AD: break;                       // a soft hyphen: only a hint where to break
        // OT1, LaTeX's default font encoding, has no glyph for these six Latin-1 characters (the
        // others it composes or takes from the text companion): written as the nearest it has.
        case 0x00AB: result += "$\\ll$"; break;  // «
        case 0x00BB: result += "$\\gg$"; break;  // »
        case 0x00D0: result += 'D'; break;        // Ð
        case 0x00F0: result += 'd'; break;        // ð
        case 0x00DE: result += "Th"; break;       // Þ
        case 0x00FE: result += "th"; break;       // þ
        case 0x00B1: result += "$\\pm$"; break;   // the ± of mean ± sd
        case 0x00D7: result += "$\\times$"; break; // the × of ratios
        case 0x2013: result += "--"; break;
        case 0x2014: result += "---"; break;       // an em dash: no figure
        case 0x2018: result += '`'; break;
        case 0x2019: result += '\''; break;
        case 0x201C: result += "``"; break;
        case 0x201D: result += "''"; break;
        case 0x2026: result += "\\ldots{}"; break;
        case 0x2212: result += "$-$"; break;
        default:
            // Printable ASCII and Latin-1 typeset as they are; control characters and everything
            // beyond Latin-1 (CJK, emoji, ...) would stop pdfLaTeX with "Unicode character not set up".
            if ((c >= 0x20 && c < 0x7F) || (c >= 0xA1 && c <= 0xFF))
                result += QString::fromUcs4(&c, 1);
            else if (dropped && !dropped->contains(c))
                dropped->append(c);
        }
    }
    return result;
}

QString codePointList(const QList<char32_t> &codePoints)
{
    QStringList names;
    for (char32_t c : codePoints)
        names << QStringLiteral("U+%1").arg(uint(c), 4, 16, QChar('0')).toUpper();
    return names.join(", ");
}

} // namespace ffint8
