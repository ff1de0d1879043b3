// `ffint8 model show PRESET|SPEC.json`: a model's layers (a preset's, or the one a spec names or
// describes) with their output shapes, parameters and MACs per image, and the totals, as Keras'
// summary() prints them (or one JSON object).
#include "app/cli/argument_reader.h"
#include "app/cli/commands.h"
#include "app/spec/experiment_spec.h"
#include "app/spec/model_summary.h"
#include "app/spec/spec_error.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <algorithm>

namespace ffint8 {

namespace {

struct ModelRequest
{
    QString what; // PRESET or SPEC.json
    QString input; // --input CxHxW
    int classes = 10;
    QString layers; // --layers, for mlp
    bool json = false;
};

ModelRequest parseArguments(const QStringList &args)
{
    ModelRequest r;
    if (args.isEmpty() || args.first() != "show")
        throw SpecError(
            "usage: ffint8 model show PRESET|SPEC.json [--input CxHxW] [--classes N] [--layers W,W,...] [--json]");
    const QStringList rest = args.mid(1); // the reader keeps a reference
    ArgumentReader reader(rest);
    while (reader.next()) {
        const QString &arg = reader.current();
        if (!reader.isFlag()) {
            if (!r.what.isEmpty())
                throw SpecError(QStringLiteral("unexpected argument '%1' (%2 was already given)").arg(arg, r.what));
            r.what = arg;
        } else if (arg == "--json") {
            r.json = true;
        } else if (arg == "--input") {
            r.input = reader.value();
        } else if (arg == "--layers") {
            r.layers = reader.value();
        } else if (arg == "--classes") {
            const QString value = reader.value();
            bool ok = false;
            r.classes = value.toInt(&ok);
            if (!ok || r.classes < 1 || r.classes > 1 << 20)
                throw SpecError(QStringLiteral("--classes: '%1' is not a class count from 1 to 1048576").arg(value));
        } else {
            throw SpecError(
                QStringLiteral("unknown flag %1; valid flags: --input, --classes, --layers, --json").arg(arg));
        }
    }
    if (r.what.isEmpty())
        throw SpecError("model show needs a preset or a spec file: ffint8 model show PRESET|SPEC.json");
    return r;
}

Shape parseShape(const QString &text)
{
    const QStringList parts = text.split('x');
    std::vector<int> v;
    for (const QString &p : parts) {
        bool ok = false;
        const int n = p.toInt(&ok);
        if (!ok || n <= 0)
            break;
        v.push_back(n);
    }
    if (qsizetype(v.size()) != parts.size() || (v.size() != 3 && v.size() != 1))
        throw SpecError(QStringLiteral("--input: '%1' is not a shape CxHxW (e.g. 3x32x32) or a width").arg(text));
    return v.size() == 3 ? Shape::image(v[0], v[1], v[2]) : Shape::flat(v[0]);
}

QJsonArray shapeArray(const Shape &s)
{
    return QJsonArray{s.channels, s.height, s.width};
}

int showModel(const ModelRequest &r)
{
    TrainConfig config;
    QString dataset;
    if (isModelPreset(r.what.toStdString())) {
        config.model = r.what.toStdString();
    } else if (QFileInfo(r.what).isFile()) {
        config = parseSpecFile(r.what).config;
        dataset = QString::fromStdString(config.dataset);
    } else {
        QStringList names;
        for (const std::string &n : modelPresetNames())
            names << QString::fromStdString(n);
        throw SpecError(QStringLiteral("'%1' is neither a model (%2) nor a spec file").arg(r.what, names.join(", ")));
    }
    if (!r.layers.isEmpty()) {
        config.layers.clear();
        for (const QString &part : r.layers.split(',', Qt::SkipEmptyParts)) {
            bool ok = false;
            config.layers.push_back(part.trimmed().toInt(&ok));
            if (!ok || config.layers.back() <= 0)
                throw SpecError(QStringLiteral("--layers: '%1' is not a list of positive widths").arg(r.layers));
        }
    }
    // A spec without a model trains the MLP of its layers: shown as the mlp preset.
    const ModelSpec spec = summaryModelOf(config);
    const Shape input = !r.input.isEmpty() ? parseShape(r.input)
        : spec.input.channels > 0          ? spec.input
                                           : knownInputShape(config).value_or(Shape::image(1, 28, 28));
    const ModelSummary summary = summarizeModel(spec, input, r.classes);

    QTextStream out(stdout);
    if (r.json) {
        QJsonArray layers;
        for (const ModelSummaryLayer &l : summary.layers)
            layers.append(QJsonObject{{"name", l.name},
                                      {"type", l.type},
                                      {"block", l.block},
                                      {"output_shape", shapeArray(l.output)},
                                      {"parameters", l.parameters},
                                      {"macs", l.macs}});
        const QJsonObject o{{"model", summary.model},
                            {"input_shape", shapeArray(input)},
                            {"classes", r.classes},
                            {"parameters", summary.parameters},
                            {"macs", summary.macs},
                            {"layers", layers}};
        out << QJsonDocument(o).toJson(QJsonDocument::Compact) << "\n";
        return ExitOk;
    }
    int nameWidth = QStringLiteral("Layer (type)").size();
    for (const ModelSummaryLayer &l : summary.layers)
        nameWidth = std::max(nameWidth, int(l.name.size() + l.type.size() + 3));
    const int shapeWidth = 14, numberWidth = 13;
    const int width = nameWidth + 2 + shapeWidth + 2 * numberWidth;
    out << "Model: \"" << summary.model << "\"  input " << QString::fromStdString(input.text()) << ", " << r.classes
        << " classes (shapes are channels x height x width)\n";
    out << QString(width, '_') << "\n";
    out << QStringLiteral("Layer (type)").leftJustified(nameWidth + 2)
        << QStringLiteral("Output shape").leftJustified(shapeWidth)
        << QStringLiteral("Param #").rightJustified(numberWidth) << QStringLiteral("MACs").rightJustified(numberWidth)
        << "\n";
    out << QString(width, '=') << "\n";
    for (const ModelSummaryLayer &l : summary.layers)
        out << QStringLiteral("%1 (%2)").arg(l.name, l.type).leftJustified(nameWidth + 2)
            << QString::fromStdString(l.output.text()).leftJustified(shapeWidth)
            << groupedCount(l.parameters).rightJustified(numberWidth) << groupedCount(l.macs).rightJustified(numberWidth)
            << "\n";
    out << QString(width, '=') << "\n";
    out << "Total params: " << groupedCount(summary.parameters) << "\n";
    out << "MACs per image: " << groupedCount(summary.macs) << "\n";
    return ExitOk;
}

} // namespace

int modelCommand(const QStringList &args)
{
    QTextStream err(stderr);
    ModelRequest request;
    try {
        request = parseArguments(args);
    } catch (const SpecError &e) {
        err << "ffint8 model: " << e.what() << "\n";
        return ExitUsage;
    }
    try {
        return showModel(request);
    } catch (const SpecError &e) {
        err << "ffint8 model: " << e.what() << "\n";
        return ExitUsage;
    } catch (const std::exception &e) {
        err << "ffint8 model: " << e.what() << "\n";
        return ExitError;
    }
}

} // namespace ffint8
