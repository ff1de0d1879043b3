// Reading and writing models described layer by layer in specs, with errors at their JSON path.
#include "app/spec/custom_model_json.h"

#include "app/spec/json_integer.h"
#include "app/spec/json_positions.h"
#include "app/spec/spec_error.h"
#include "engine/core/error.h"
#include "engine/nn/model_graph.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>

namespace ffint8 {

namespace {

// The limits model files keep (engine/io/graph_model_file.cpp), so whatever a spec describes can
// be saved and read back; an example's values are bounded so that no shape computed from the
// input overflows before ModelGraph's own bound on every layer's output.
constexpr int kMaxWidth = 1 << 20; // out, groups, input channels
constexpr int kMaxSide = 1 << 15; // kernel, stride, padding, input height and width
constexpr qint64 kMaxInputValues = qint64(1) << 24;
// Names end up in layer and tensor names ("block.layer.tensor"), unit names in the store and the
// key=value settings of model files, so they are kept to one plain word.
constexpr int kMaxNameLength = 64;

const QStringList kModelKeys = {"name", "input", "blocks", "layers"};
const QStringList kBlockKeys = {"name", "layers", "residual", "projection", "after_add"};

// The fields a kind of layer reads besides "type" and "name"; the others keep NodeSpec's defaults.
QStringList fieldsOf(NodeKind kind)
{
    switch (kind) {
    case NodeKind::Linear:
        return {"out"};
    case NodeKind::Conv2d:
        return {"out", "kernel", "stride", "padding", "groups", "bias"};
    case NodeKind::MaxPool:
    case NodeKind::AvgPool:
        return {"kernel", "stride", "padding"};
    case NodeKind::Dropout:
        return {"rate"};
    default:
        return {};
    }
}

QStringList requiredFieldsOf(NodeKind kind)
{
    switch (kind) {
    case NodeKind::Linear:
        return {"out"};
    case NodeKind::Conv2d:
        return {"out", "kernel"};
    case NodeKind::MaxPool:
    case NodeKind::AvgPool:
        return {"kernel"};
    case NodeKind::Dropout:
        return {"rate"};
    default:
        return {};
    }
}

QStringList layerTypes()
{
    QStringList types;
    for (int k = 0; k <= int(kLastNodeKind); ++k)
        types << QString::fromLatin1(nodeKindName(NodeKind(k)));
    return types;
}

// A value as the spec wrote it, for messages.
QString jsonText(const QJsonValue &v)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QString indexed(const QString &path, const char *key, qsizetype i)
{
    return QStringLiteral("%1.%2[%3]").arg(path, QLatin1String(key)).arg(i);
}

// Where a block and its layers were written, for errors found after the block was read.
struct BlockPaths
{
    QString block;
    QStringList layers; // body, then after_add
};

class ModelReader
{
public:
    ModelReader(const QByteArray &text, const QString &displayName) : m_text(text), m_name(displayName) { }

    [[noreturn]] void fail(const QString &path, const QString &message) const
    {
        throw SpecError(jsonFieldError(m_text, m_name, path, message));
    }

    ModelSpec model(const QJsonValue &value, const QString &path)
    {
        if (!value.isObject())
            fail(path, "expected a model object with blocks or layers");
        const QJsonObject o = value.toObject();
        if (o.contains("preset"))
            fail(path + ".preset", "a model described by blocks or layers takes no preset; give one or the other");
        checkKeys(o, kModelKeys, path, "a model");
        ModelSpec spec;
        spec.name = o.contains("name") ? name(o.value("name"), path + ".name") : std::string(kDefaultCustomModelName);
        if (isModelPreset(spec.name))
            fail(path + ".name",
                 QStringLiteral("'%1' is a preset's name; a model described here needs a name of its own")
                     .arg(QString::fromStdString(spec.name)));
        if (o.contains("input"))
            spec.input = input(o.value("input"), path + ".input");
        if (o.contains("blocks") == o.contains("layers"))
            fail(path,
                 o.contains("blocks") ? QStringLiteral("give blocks or layers, not both")
                                      : QStringLiteral("needs blocks, or layers (one block per layer)"));
        std::vector<BlockPaths> paths;
        if (o.contains("blocks")) {
            const QJsonArray blocks = nonEmptyArray(o.value("blocks"), path + ".blocks", "blocks");
            for (qsizetype i = 0; i < blocks.size(); ++i) {
                paths.push_back({indexed(path, "blocks", i), {}});
                spec.blocks.push_back(block(blocks[i], int(i), paths.back()));
            }
        } else {
            std::vector<NodeSpec> nodes = layers(o.value("layers"), path + ".layers");
            for (size_t i = 0; i < nodes.size(); ++i)
                paths.push_back({indexed(path, "layers", qsizetype(i)), {indexed(path, "layers", qsizetype(i))}});
            spec.blocks = blocksOfLayers(nodes);
        }
        checkNames(spec, paths);
        if (spec.input.channels > 0)
            checkShapes(spec, paths);
        return spec;
    }

private:
    void checkKeys(const QJsonObject &o, const QStringList &valid, const QString &path, const QString &what) const
    {
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!valid.contains(it.key()))
                fail(path + '.' + it.key(),
                     QStringLiteral("unknown field of %1; valid here: %2").arg(what, valid.join(", ")));
    }

    QJsonArray nonEmptyArray(const QJsonValue &v, const QString &path, const char *what) const
    {
        if (!v.isArray() || v.toArray().isEmpty())
            fail(path, QStringLiteral("expected a non-empty array of %1").arg(QLatin1String(what)));
        return v.toArray();
    }

    std::string name(const QJsonValue &v, const QString &path) const
    {
        const QString text = v.toString();
        const bool plain
            = !text.isEmpty() && text.size() <= kMaxNameLength && std::all_of(text.begin(), text.end(), [](QChar c) {
                  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                      || c == '-';
              });
        if (!v.isString() || !plain)
            fail(path,
                 QStringLiteral("expected a name of 1 to %1 letters, digits, '_' or '-', got %2")
                     .arg(kMaxNameLength)
                     .arg(jsonText(v)));
        return text.toStdString();
    }

    int integer(const QJsonValue &v, const QString &path, int lowest, int highest) const
    {
        // Numbers only: the strings of digits json_integer.h also takes are for seeds beyond 2^53.
        const std::optional<quint64> n = v.isDouble() ? unsignedOfJson(v) : std::nullopt;
        if (!n || *n < quint64(lowest) || *n > quint64(highest))
            fail(path,
                 QStringLiteral("expected an integer from %1 to %2, got %3").arg(lowest).arg(highest).arg(jsonText(v)));
        return int(*n);
    }

    int integer(const QJsonObject &o, const char *key, const QString &path, int lowest, int highest, int fallback) const
    {
        if (!o.contains(QLatin1String(key)))
            return fallback;
        return integer(o.value(QLatin1String(key)), path + '.' + QLatin1String(key), lowest, highest);
    }

    float rate(const QJsonValue &v, const QString &path) const
    {
        if (!v.isDouble() || !(v.toDouble() >= 0.0 && v.toDouble() < 1.0))
            fail(path, QStringLiteral("expected a rate from 0 up to (not including) 1, got %1").arg(jsonText(v)));
        return float(v.toDouble());
    }

    bool flag(const QJsonObject &o, const char *key, const QString &path, bool fallback) const
    {
        if (!o.contains(QLatin1String(key)))
            return fallback;
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isBool())
            fail(path + '.' + QLatin1String(key), QStringLiteral("expected true or false, got %1").arg(jsonText(v)));
        return v.toBool();
    }

    Shape input(const QJsonValue &v, const QString &path) const
    {
        const QJsonArray a = v.toArray();
        if (!v.isArray() || (a.size() != 1 && a.size() != 3))
            fail(path, QStringLiteral("expected [channels, height, width] or [values], got %1").arg(jsonText(v)));
        auto element = [&](qsizetype i, int highest) {
            return integer(a[i], QStringLiteral("%1[%2]").arg(path).arg(i), 1, highest);
        };
        if (a.size() == 1)
            return Shape::flat(element(0, int(kMaxInputValues)));
        const Shape s = Shape::image(element(0, kMaxWidth), element(1, kMaxSide), element(2, kMaxSide));
        if (qint64(s.channels) * s.height * s.width > kMaxInputValues)
            fail(path,
                 QStringLiteral("%1 holds %2 values per example, more than the %3 a model takes")
                     .arg(QString::fromStdString(s.text()))
                     .arg(qint64(s.channels) * s.height * s.width)
                     .arg(kMaxInputValues));
        return s;
    }

    NodeSpec layer(const QJsonValue &v, const QString &path) const
    {
        if (!v.isObject())
            fail(path,
                 QStringLiteral("expected a layer object such as {\"type\": \"conv2d\", \"out\": 16, \"kernel\": 3}, "
                                "got %1")
                     .arg(jsonText(v)));
        const QJsonObject o = v.toObject();
        NodeSpec n;
        if (!o.contains("type"))
            fail(path, QStringLiteral("a layer needs \"type\": one of %1").arg(layerTypes().join(", ")));
        if (!o.value("type").isString() || !nodeKindFromName(o.value("type").toString().toStdString(), n.kind))
            fail(path + ".type",
                 QStringLiteral("%1 is not a layer type; valid: %2")
                     .arg(jsonText(o.value("type")), layerTypes().join(", ")));
        const QString type = o.value("type").toString();
        const QStringList fields = fieldsOf(n.kind);
        checkKeys(o, QStringList{"type", "name"} + fields, path, "a " + type + " layer");
        for (const QString &required : requiredFieldsOf(n.kind))
            if (!o.contains(required))
                fail(path, QStringLiteral("a %1 layer needs \"%2\"").arg(type, required));
        if (o.contains("name"))
            n.name = name(o.value("name"), path + ".name");
        const bool pool = n.kind == NodeKind::MaxPool || n.kind == NodeKind::AvgPool;
        n.out = integer(o, "out", path, 1, kMaxWidth, n.out);
        n.kernel = integer(o, "kernel", path, 1, kMaxSide, n.kernel);
        // A pool's stride 0 is its kernel size (NodeSpec), also when left out.
        n.stride = integer(o, "stride", path, pool ? 0 : 1, kMaxSide, pool ? 0 : n.stride);
        n.padding = integer(o, "padding", path, 0, kMaxSide, n.padding);
        n.groups = integer(o, "groups", path, 1, kMaxWidth, n.groups);
        if (n.out % n.groups != 0)
            fail(path + ".groups",
                 QStringLiteral("%1 groups do not divide the %2 output channels").arg(n.groups).arg(n.out));
        n.bias = flag(o, "bias", path, n.bias);
        if (o.contains("rate"))
            n.rate = rate(o.value("rate"), path + ".rate");
        return n;
    }

    std::vector<NodeSpec> layers(const QJsonValue &v, const QString &path, QStringList *paths = nullptr) const
    {
        const QJsonArray a = nonEmptyArray(v, path, "layer objects");
        std::vector<NodeSpec> nodes;
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString at = QStringLiteral("%1[%2]").arg(path).arg(i);
            nodes.push_back(layer(a[i], at));
            if (paths)
                *paths << at;
        }
        return nodes;
    }

    BlockSpec block(const QJsonValue &v, int index, BlockPaths &paths) const
    {
        const QString &path = paths.block;
        if (!v.isObject())
            fail(path,
                 QStringLiteral("expected a block object such as {\"name\": \"stem\", \"layers\": [...]}, got %1")
                     .arg(jsonText(v)));
        const QJsonObject o = v.toObject();
        checkKeys(o, kBlockKeys, path, "a block");
        BlockSpec b;
        b.name = o.contains("name") ? name(o.value("name"), path + ".name") : "block" + std::to_string(index + 1);
        if (!o.contains("layers"))
            fail(path, "a block needs \"layers\"");
        b.body = layers(o.value("layers"), path + ".layers", &paths.layers);
        b.residual = flag(o, "residual", path, false);
        for (const char *key : {"projection", "after_add"})
            if (!b.residual && o.contains(QLatin1String(key)))
                fail(path + '.' + QLatin1String(key), "belongs to a residual block; add \"residual\": true");
        b.projection = flag(o, "projection", path, true);
        if (o.contains("after_add"))
            b.afterAdd = layers(o.value("after_add"), path + ".after_add", &paths.layers);
        return b;
    }

    // Block and layer names are unique, as state names ("block.layer.tensor") need; ModelGraph
    // refuses duplicates too, but without the spec's line.
    void checkNames(const ModelSpec &spec, const std::vector<BlockPaths> &paths) const
    {
        std::set<std::string> blocks;
        for (size_t b = 0; b < spec.blocks.size(); ++b) {
            const BlockSpec &block = spec.blocks[b];
            const QString name = QString::fromStdString(block.name);
            if (block.name == "head")
                fail(paths[b].block + ".name",
                     "'head' is the block the trainers add (BP's and FF's linear heads); "
                     "name this block otherwise");
            if (!blocks.insert(block.name).second)
                fail(paths[b].block + ".name",
                     QStringLiteral("a second block named '%1'; block names are unique").arg(name));
            std::set<std::string> layers;
            if (block.residual)
                layers = {block.name + ".add", block.name + ".shortcut_conv", block.name + ".shortcut_bn"};
            for (size_t i = 0; i < block.body.size() + block.afterAdd.size(); ++i) {
                const std::string layer = ModelSpec::nodeName(block, i);
                if (!layers.insert(layer).second)
                    fail(paths[b].layers[qsizetype(i)] + ".name",
                         QStringLiteral("a second layer named '%1'; a layer's name is unique in its block (and "
                                        "\"add\", \"shortcut_conv\", \"shortcut_bn\" are a residual block's own)")
                             .arg(QString::fromStdString(layer)));
            }
        }
    }

    // With its input given, the model is planned now, so a layer that does not fit is refused at
    // its block's line. The first failing block is found by halving: a prefix of the blocks fails
    // exactly when it holds that block, and a long model is planned only a few times.
    void checkShapes(const ModelSpec &spec, const std::vector<BlockPaths> &paths) const
    {
        auto failure = [&](size_t blocks) -> std::optional<std::string> {
            ModelSpec prefix = spec;
            prefix.blocks.resize(blocks);
            try {
                ModelGraph::plan(prefix, spec.input, 0);
            } catch (const EngineError &e) {
                return std::string(e.what());
            }
            return std::nullopt;
        };
        const std::optional<std::string> whole = failure(spec.blocks.size());
        if (!whole)
            return;
        size_t good = 0, bad = spec.blocks.size(); // the prefix of `good` blocks plans, that of `bad` fails
        std::string message = *whole;
        while (bad - good > 1) {
            const size_t mid = (good + bad) / 2;
            if (const std::optional<std::string> m = failure(mid)) {
                bad = mid;
                message = *m;
            } else {
                good = mid;
            }
        }
        fail(paths[bad - 1].block, QString::fromStdString(message));
    }

    const QByteArray &m_text;
    QString m_name;
};

int fieldValue(const NodeSpec &n, const QString &field)
{
    if (field == "out")
        return n.out;
    if (field == "kernel")
        return n.kernel;
    if (field == "stride")
        return n.stride;
    if (field == "padding")
        return n.padding;
    return n.groups;
}

// The shortest decimal that reads back as the same FP32 rate (0.3, not 0.30000001192092896).
double shortestDecimal(float v)
{
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, v).ptr;
    return std::strtod(std::string(text, end).c_str(), nullptr);
}

QJsonObject nodeJson(const NodeSpec &n)
{
    QJsonObject o{{"type", QString::fromLatin1(nodeKindName(n.kind))}};
    if (!n.name.empty())
        o["name"] = QString::fromStdString(n.name);
    for (const QString &field : fieldsOf(n.kind))
        o[field] = field == "bias" ? QJsonValue(n.bias)
            : field == "rate"      ? QJsonValue(shortestDecimal(n.rate))
                                   : QJsonValue(fieldValue(n, field));
    return o;
}

QJsonArray nodesJson(const std::vector<NodeSpec> &nodes)
{
    QJsonArray a;
    for (const NodeSpec &n : nodes)
        a.append(nodeJson(n));
    return a;
}

} // namespace

bool isCustomModelJson(const QJsonValue &value)
{
    if (!value.isObject())
        return false;
    const QJsonObject o = value.toObject();
    if (o.contains("blocks") || o.contains("name") || o.contains("input"))
        return true;
    const QJsonArray layers = o.value("layers").toArray();
    return std::any_of(layers.begin(), layers.end(), [](const QJsonValue &v) { return v.isObject(); });
}

ModelSpec customModelFromJson(const QJsonValue &value, const QString &path, const QByteArray &text,
                              const QString &displayName)
{
    return ModelReader(text, displayName).model(value, path);
}

QJsonObject customModelToJson(const ModelSpec &spec)
{
    QJsonObject o{{"name", QString::fromStdString(spec.name)}};
    if (spec.input.channels > 0)
        o["input"] = spec.input.isFlat() ? QJsonArray{spec.input.channels}
                                         : QJsonArray{spec.input.channels, spec.input.height, spec.input.width};
    QJsonArray blocks;
    for (const BlockSpec &b : spec.blocks) {
        QJsonObject block{{"name", QString::fromStdString(b.name)}, {"layers", nodesJson(b.body)}};
        if (b.residual) {
            block["residual"] = true;
            block["projection"] = b.projection;
            if (!b.afterAdd.empty())
                block["after_add"] = nodesJson(b.afterAdd);
        }
        blocks.append(block);
    }
    o["blocks"] = blocks;
    return o;
}

} // namespace ffint8
