// LaTeX result tables for any run name: the escaping on its own, and the exported tables compiled by
// pdflatex (where it is installed) with names full of special and non-Latin-1 characters, fitting
// the page width.
#include "app/export/latex_text.h"
#include "app/export/result_table.h"
#include "app/store/run_store.h"
#include "support/latex_compile.h"

#include <QRegularExpression>
#include <QtTest>

using namespace ffint8;

namespace {

// Every printable ASCII character, every Latin-1 letter and sign, and what LaTeX cannot typeset.
QStringList hardNames()
{
    QString ascii, latin1;
    for (char16_t c = 0x20; c < 0x7F; ++c)
        ascii += QChar(c);
    for (char16_t c = 0xA0; c <= 0xFF; ++c)
        latin1 += QChar(c);
    return {ascii, latin1, QString::fromUtf8("emoji 🚀🔥 and 中文 and Ωμέγα, a combining e\u0301, zero\u200bwidth"),
            QString::fromUtf8("“quoted” ‘single’ – en — em … end \u2212 minus"), QString("tab\tnew\nline\rcarriage"),
            QString(300, QChar('W'))};
}

} // namespace

class TestLatexExport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void escapesEachSpecialCharacter_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("latex");
        QTest::newRow("backslash") << "a\\b" << "a\\textbackslash{}b";
        QTest::newRow("braces") << "{x}" << "\\{x\\}";
        QTest::newRow("dollar") << "$5" << "\\$5";
        QTest::newRow("ampersand") << "a&b" << "a\\&b";
        QTest::newRow("hash") << "#1" << "\\#1";
        QTest::newRow("caret") << "2^3" << "2\\textasciicircum{}3";
        QTest::newRow("underscore") << "a_b" << "a\\_b";
        QTest::newRow("percent") << "50%" << "50\\%";
        QTest::newRow("tilde") << "~/x" << "\\textasciitilde{}/x";
        QTest::newRow("bar") << "a|b" << "a\\textbar{}b";
        QTest::newRow("less") << "a<b" << "a\\textless{}b";
        QTest::newRow("greater") << "a>b" << "a\\textgreater{}b";
        QTest::newRow("newline and tab") << "a\nb\tc" << "a b c";
        QTest::newRow("latin-1 kept") << QString::fromUtf8("café Müller ß") << QString::fromUtf8("café Müller ß");
        QTest::newRow("latin-1 OT1 lacks") << QString::fromUtf8("«Þórð»") << QString::fromUtf8("$\\ll$Thórd$\\gg$");
        QTest::newRow("plus-minus and times") << QString::fromUtf8("1±2 3×") << "1$\\pm$2 3$\\times$";
        QTest::newRow("dashes and quotes") << QString::fromUtf8("–—“”‘’…") << "-----``''`'\\ldots{}";
        QTest::newRow("emoji and CJK dropped") << QString::fromUtf8("a🚀b中c") << "abc";
    }

    void escapesEachSpecialCharacter()
    {
        QFETCH(QString, text);
        QFETCH(QString, latex);
        QCOMPARE(latexEscaped(text), latex);
    }

    void saysWhatItLeftOut()
    {
        QList<char32_t> dropped;
        latexEscaped(QString::fromUtf8("a🚀b中c🚀"), &dropped);
        QCOMPARE(dropped, (QList<char32_t>{0x1F680, 0x4E2D}));
        QCOMPARE(codePointList(dropped), QString("U+1F680, U+4E2D"));
    }

    // Whatever the text, no character of it is left to act as LaTeX: outside the escapes there is
    // no special character at all.
    void nothingUnescapedRemains()
    {
        for (const QString &name : hardNames()) {
            QString rest = latexEscaped(name);
            for (const char *escape : {"\\textbackslash{}", "\\textasciitilde{}", "\\textasciicircum{}", "\\textbar{}",
                                       "\\textless{}", "\\textgreater{}", "$\\pm$", "$\\times$", "$-$", "$\\ll$", "$\\gg$", "\\ldots{}",
                                       "\\{", "\\}", "\\$", "\\&", "\\#", "\\_", "\\%"})
                rest.remove(QString::fromLatin1(escape));
            static const QRegularExpression special(R"([\\{}$&#^_%|<>])");
            QVERIFY2(!special.match(rest).hasMatch(), qPrintable(rest));
            // A ~ left is the no-break space's.
            QCOMPARE(rest.count('~'), name.count(QChar(0xA0)));
        }
    }

    // Both layouts, compiled by pdflatex with nothing but booktabs and graphicx: no error, and no
    // box wider than the page (the long layout's 22 columns are scaled to the line width).
    void compilesForAnyName()
    {
        if (testing::pdflatexProgram().isEmpty())
            QSKIP("pdflatex is not installed (Debian: texlive-latex-base, and texlive-latex-recommended for booktabs)");
        const QString db = m_dir.filePath("names.sqlite");
        QList<qint64> ids;
        {
            RunStore store(db);
            for (const QString &name : hardNames()) {
                RunRecord r;
                r.name = name;
                r.specJson = "{}";
                r.algorithm = ids.size() % 2 ? "ff-int8" : "bp-fp32";
                r.dataset = "fashion-mnist";
                r.backend = "cpu";
                r.suite = name.left(40);
                const qint64 id = store.createRun(r);
                store.setParams(id, {{"model.layers", "784,1000,1000"}});
                store.addTag(id, name.left(20));
                store.finishRun(id, RunResult{"completed", name, 3, 0.85, NAN, 12.5, 13.0, NAN, 9'000'000, 0});
                ids << id;
            }
        }
        RunStore store(db);
        for (TableLayout layout : {TableLayout::Long, TableLayout::Paper}) {
            const QString tex = exportTable(store, ids, TableOptions{layout, TableFormat::Latex, QStringLiteral("bp-fp32")});
            QVERIFY(tex.contains("left out: U+1F680, U+1F525, U+4E2D, U+6587") || layout == TableLayout::Paper);
            const testing::LatexRun run = testing::compileLatexTable(m_dir.path(), layout == TableLayout::Long ? "long" : "paper", tex);
            QVERIFY2(run.compiled, qPrintable(run.output));
            QVERIFY2(!run.log.contains("Overfull \\hbox"), qPrintable(run.log.right(900)));
            QVERIFY2(!run.log.contains("Missing character"), qPrintable(run.log.right(900)));
        }
    }
};

QTEST_GUILESS_MAIN(TestLatexExport)
#include "tst_latex_export.moc"
