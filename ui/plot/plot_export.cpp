// Saves a plot as an image or a vector figure, the format chosen by the file's suffix.
#include "ui/plot/plot_export.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryFile>
#include <QImageWriter>
#include <QSvgGenerator>
#include <algorithm>
#include <qcustomplot.h>

namespace ffint8 {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

bool savePlot(QCustomPlot *plot, const QString &path, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf") && suffix != QLatin1String("svg"))
        return fail(error,
                    QStringLiteral("cannot save the plot to %1: unknown suffix \"%2\" (use .png, .pdf or .svg)")
                        .arg(path, suffix.isEmpty() ? QStringLiteral("(none)") : suffix));
    if (!plot)
        return fail(error, QStringLiteral("cannot save the plot to %1: there is no plot").arg(path));

    // The figure goes to a temporary file beside `path` that replaces it only once complete
    // (QSaveFile): a failed export leaves an existing file as it was. Opening it ourselves gives the
    // system's reason (no such folder, permission denied) that the writers would only call a failure.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    const int width = std::max(1, plot->width());
    const int height = std::max(1, plot->height());

    if (suffix == QLatin1String("png")) {
        // A saved figure is looked at closely: smooth lines there, whatever the live plot uses for speed.
        const QCP::AntialiasedElements notAntialiased = plot->notAntialiasedElements();
        plot->setNotAntialiasedElements(QCP::aeNone);
        const QImage image = plot->toPixmap(width, height, 1.0).toImage();
        plot->setNotAntialiasedElements(notAntialiased);
        QImageWriter writer(&file, "png");
        if (!writer.write(image))
            return fail(error, QStringLiteral("cannot write %1: %2").arg(path, writer.errorString()));
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setOutputDevice(&file);
        generator.setSize(QSize(width, height));
        generator.setViewBox(QRect(0, 0, width, height));
        generator.setTitle(plot->windowTitle());
        QCPPainter painter;
        if (!painter.begin(&generator))
            return fail(error, QStringLiteral("cannot write %1: the SVG writer could not start").arg(path));
        plot->toPainter(&painter, width, height);
        painter.end();
    } else {
        // savePdf writes to a file name of its own: a scratch file in the same folder, copied over.
        QTemporaryFile scratch(QFileInfo(path).absoluteDir().filePath(QStringLiteral(".plot-XXXXXX.pdf")));
        if (!scratch.open())
            return fail(error, QStringLiteral("cannot write %1: %2").arg(path, scratch.errorString()));
        scratch.close();
        if (!plot->savePdf(scratch.fileName(), width, height) || !scratch.open())
            return fail(error, QStringLiteral("cannot write %1: the PDF writer failed").arg(path));
        file.write(scratch.readAll());
    }
    if (!file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

} // namespace ffint8
