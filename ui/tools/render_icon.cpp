// ffint8-render-icon SVG SIZE OUT.png: renders the workbench's SVG icon at one PNG size, at build
// time, so that the SVG in resources/icons is the only drawing kept.
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <QTextStream>

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QTextStream err(stderr);
    const QStringList args = app.arguments();
    bool sizeOk = false;
    const int size = args.value(2).toInt(&sizeOk);
    if (args.size() != 4 || !sizeOk || size < 16 || size > 1024) {
        err << "usage: ffint8-render-icon SVG SIZE(16..1024) OUT.png\n";
        return 2;
    }
    QSvgRenderer svg(args[1]);
    if (!svg.isValid()) {
        err << "ffint8-render-icon: " << args[1] << " is not a readable SVG file\n";
        return 1;
    }
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    svg.render(&painter);
    painter.end();
    if (!image.save(args[3], "PNG")) {
        err << "ffint8-render-icon: cannot write " << args[3] << "\n";
        return 1;
    }
    return 0;
}
