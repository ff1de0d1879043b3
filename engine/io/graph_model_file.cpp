// Model files version 2 (little-endian; the magic, size limit and checksum as version 1's):
//   "FFINT8MD" | u32 version = 2 | u32 settings length | settings ("key=value\n": algorithm,
//   precision, model, layers, batch, master_weights, optimizer_state, seed, dataset; FF also
//   ff_unit, label_embedding, label_value, goodness, predict_from_layer, ff_prediction) |
//   text spec name | i32 spec input channels, height, width | i32 input channels, height, width |
//   i32 classes | u32 block count | per block: text name, u8 residual, u8 projection,
//   u32 body count, nodes, u32 after-add count, nodes |
//   per node: u8 kind, text name, i32 out, kernel, stride, padding, groups, u8 bias, and for a
//   dropout node f32 rate (no other kind has it, so files without dropout read as before) |
//   u32 tensor count | per tensor: text name, u64 value count, f32 values |
//   u64 FNV-1a of everything after the magic.
// text = u32 length + bytes. Every integer is written as it is held, so a spec round-trips exactly.
#include "engine/io/graph_model_file.h"

#include "engine/core/error.h"
#include "engine/train/label_embedding.h"

#include <charconv>
#include <map>
#include <sstream>

namespace ffint8 {

namespace {

constexpr size_t kMaxNameBytes = 4096;
constexpr size_t kMaxSettingsBytes = 1 << 16;
// Far above any layer a run here can hold, and low enough that shapes computed from them fit int.
constexpr int kMaxSetting = 1 << 20;
constexpr int kMaxSide = 1 << 15;

std::string settingsText(const TrainConfig &c)
{
    std::ostringstream s;
    s << "algorithm=" << algorithmName(c.algorithm) << "\n";
    s << "precision=" << (isInt8(c.algorithm) ? "int8" : "fp32") << "\n";
    s << "model=" << c.model << "\n";
    s << "layers=";
    for (size_t i = 0; i < c.layers.size(); ++i)
        s << (i ? "," : "") << c.layers[i];
    s << "\n";
    s << "batch=" << c.batch << "\n";
    s << "master_weights=" << (c.masterWeights ? 1 : 0) << "\n";
    s << "optimizer_state=" << (c.optimizerState == StateFormat::Bf16 ? "bf16" : "fp32") << "\n";
    s << "seed=" << c.seed << "\n";
    s << "dataset=" << c.dataset << "\n";
    if (isForwardForward(c.algorithm)) {
        // What FF's prediction needs again: units, the label's embedding and the goodness.
        s << "ff_unit=" << (c.ffUnit == FfUnit::Layer ? "layer" : "block") << "\n";
        s << "label_embedding=" << labelEmbeddingName(c.labelEmbedding) << "\n";
        s << "label_value=" << (c.labelValue == LabelValue::One ? "one" : "image_max") << "\n";
        s << "goodness=" << (c.goodness == Goodness::Sum ? "sum" : "mean") << "\n";
        s << "predict_from_layer=" << c.predictFromLayer << "\n";
        s << "ff_prediction=" << (c.ffPrediction == FfPrediction::Head ? "head" : "goodness") << "\n";
        s << "ff_loss=" << (c.ffLoss == FfLoss::ClassGroups ? "class-groups" : "threshold") << "\n";
    }
    return s.str();
}

class Settings
{
public:
    Settings(const std::string &path, const std::string &text) : m_path(path)
    {
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
            const auto eq = line.find('=');
            if (eq == std::string::npos)
                throw EngineError(path + ": model settings line \"" + line + "\" is not key=value");
            m_values[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    const std::string &value(const std::string &key) const
    {
        auto it = m_values.find(key);
        if (it == m_values.end())
            throw EngineError(m_path + ": model settings lack '" + key + "'");
        return it->second;
    }
    template <typename T> T number(const std::string &key, T lowest, T highest) const
    {
        return parse<T>(key, value(key), lowest, highest);
    }
    template <typename T> T parse(const std::string &key, const std::string &text, T lowest, T highest) const
    {
        T v{};
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size() || v < lowest || v > highest)
            throw EngineError(m_path + ": model setting " + key + "=\"" + text + "\" is not a number in "
                              + std::to_string(lowest) + ".." + std::to_string(highest));
        return v;
    }
    bool has(const std::string &key) const { return m_values.count(key) > 0; }
    bool flag(const std::string &key) const { return number<int>(key, 0, 1) == 1; }
    std::string choice(const std::string &key, std::initializer_list<const char *> valid) const
    {
        const std::string &v = value(key);
        std::string list;
        for (const char *c : valid) {
            if (v == c)
                return v;
            list += (list.empty() ? "" : ", ") + std::string(c);
        }
        throw EngineError(m_path + ": model setting " + key + "=\"" + v + "\"; valid: " + list);
    }

private:
    std::string m_path;
    std::map<std::string, std::string> m_values;
};

void applySettings(const Settings &s, TrainConfig &c, const std::string &path)
{
    const std::string &algo = s.value("algorithm");
    if (!algorithmFromName(algo, c.algorithm))
        throw EngineError(path + ": model of algorithm '" + algo + "', which this build cannot evaluate");
    const std::string precision = s.choice("precision", {"fp32", "int8"});
    if ((precision == "int8") != isInt8(c.algorithm))
        throw EngineError(path + ": model settings say precision " + precision + " for algorithm " + algo);
    c.model = s.value("model");
    c.layers.clear();
    const std::string &widths = s.value("layers");
    for (size_t from = 0; from <= widths.size() && !widths.empty();) {
        size_t comma = widths.find(',', from);
        if (comma == std::string::npos)
            comma = widths.size();
        c.layers.push_back(s.parse<int>("layers", widths.substr(from, comma - from), 1, kMaxSetting));
        from = comma + 1;
    }
    c.batch = s.number<int>("batch", 1, kMaxSetting);
    c.masterWeights = s.flag("master_weights");
    c.optimizerState = s.choice("optimizer_state", {"fp32", "bf16"}) == "bf16" ? StateFormat::Bf16 : StateFormat::Fp32;
    c.seed = s.number<uint64_t>("seed", 0, UINT64_MAX);
    c.dataset = s.value("dataset");
    if (isForwardForward(c.algorithm)) {
        c.ffUnit = s.choice("ff_unit", {"block", "layer"}) == "layer" ? FfUnit::Layer : FfUnit::Block;
        labelEmbeddingFromName(s.choice("label_embedding", {"auto", "pixels", "channels"}), c.labelEmbedding);
        c.labelValue = s.choice("label_value", {"image_max", "one"}) == "one" ? LabelValue::One : LabelValue::ImageMax;
        c.goodness = s.choice("goodness", {"sum", "mean"}) == "sum" ? Goodness::Sum : Goodness::Mean;
        c.predictFromLayer = s.number<int>("predict_from_layer", -kMaxSetting, kMaxSetting);
        c.ffPrediction = s.choice("ff_prediction", {"goodness", "head"}) == "head" ? FfPrediction::Head
                                                                                    : FfPrediction::Goodness;
        // Files written before the class-groups loss trained with the threshold loss.
        c.ffLoss = s.has("ff_loss") && s.choice("ff_loss", {"threshold", "class-groups"}) == "class-groups"
                       ? FfLoss::ClassGroups
                       : FfLoss::Threshold;
    }
}

void putShape(std::string &out, const Shape &s)
{
    putValue(out, int32_t(s.channels));
    putValue(out, int32_t(s.height));
    putValue(out, int32_t(s.width));
}

void putNodes(std::string &out, const std::vector<NodeSpec> &nodes)
{
    putValue(out, uint32_t(nodes.size()));
    for (const NodeSpec &n : nodes) {
        putValue(out, uint8_t(n.kind));
        putText(out, n.name);
        for (int v : {n.out, n.kernel, n.stride, n.padding, n.groups})
            putValue(out, int32_t(v));
        putValue(out, uint8_t(n.bias ? 1 : 0));
        if (n.kind == NodeKind::Dropout)
            putValue(out, n.rate);
    }
}

// Reads the graph's fields with each value's range checked, naming the field and the offset.
class GraphReader
{
public:
    explicit GraphReader(ModelFileReader &r) : m_r(r) { }

    int integer(const std::string &what, int lowest, int highest)
    {
        const size_t at = m_r.position();
        const int32_t v = m_r.get<int32_t>(what.c_str());
        if (v < lowest || v > highest)
            throw EngineError(m_r.path() + ": " + what + " is " + std::to_string(v) + " at offset " + std::to_string(at)
                              + ", outside " + std::to_string(lowest) + ".." + std::to_string(highest));
        return v;
    }
    bool flag(const std::string &what)
    {
        const size_t at = m_r.position();
        const uint8_t v = m_r.get<uint8_t>(what.c_str());
        if (v > 1)
            throw EngineError(m_r.path() + ": " + what + " is " + std::to_string(v) + " at offset " + std::to_string(at)
                              + ", not 0 or 1");
        return v == 1;
    }
    float rate(const std::string &what)
    {
        const size_t at = m_r.position();
        const float v = m_r.get<float>(what.c_str());
        if (!(v >= 0.0f && v < 1.0f))
            throw EngineError(m_r.path() + ": " + what + " is " + std::to_string(v) + " at offset " + std::to_string(at)
                              + ", outside [0, 1)");
        return v;
    }
    Shape shape(const std::string &what)
    {
        Shape s;
        s.channels = integer(what + " channels", 0, kMaxSetting);
        s.height = integer(what + " height", 1, kMaxSide);
        s.width = integer(what + " width", 1, kMaxSide);
        return s;
    }
    std::vector<NodeSpec> nodes(const std::string &block, const char *part)
    {
        const uint32_t count = m_r.get<uint32_t>("node count");
        std::vector<NodeSpec> nodes;
        // Grown as nodes are read, never sized by the count: a corrupt count runs into the end.
        for (uint32_t i = 0; i < count; ++i) {
            const std::string where = "block \"" + block + "\" " + part + " node " + std::to_string(i + 1);
            NodeSpec n;
            const size_t at = m_r.position();
            const uint8_t kind = m_r.get<uint8_t>("node kind");
            if (kind > uint8_t(kLastNodeKind))
                throw EngineError(m_r.path() + ": " + where + " has kind " + std::to_string(kind) + " at offset "
                                  + std::to_string(at) + ", which this build does not know");
            n.kind = NodeKind(kind);
            n.name = m_r.lengthPrefixedText(kMaxNameBytes, "node name");
            n.out = integer(where + " out", 0, kMaxSetting);
            n.kernel = integer(where + " kernel", 0, kMaxSetting);
            n.stride = integer(where + " stride", 0, kMaxSetting);
            n.padding = integer(where + " padding", 0, kMaxSetting);
            n.groups = integer(where + " groups", 1, kMaxSetting);
            n.bias = flag(where + " bias");
            if (n.kind == NodeKind::Dropout)
                n.rate = rate(where + " rate");
            nodes.push_back(std::move(n));
        }
        return nodes;
    }

private:
    ModelFileReader &m_r;
};

} // namespace

void saveGraphModel(const std::string &path, const GraphModelFile &model)
{
    std::string body;
    putValue(body, kGraphModelFileVersion);
    putText(body, settingsText(model.config));
    putText(body, model.spec.name);
    putShape(body, model.spec.input);
    putShape(body, model.config.inputShape);
    putValue(body, int32_t(model.config.classes));
    putValue(body, uint32_t(model.spec.blocks.size()));
    for (const BlockSpec &b : model.spec.blocks) {
        putText(body, b.name);
        putValue(body, uint8_t(b.residual ? 1 : 0));
        putValue(body, uint8_t(b.projection ? 1 : 0));
        putNodes(body, b.body);
        putNodes(body, b.afterAdd);
    }
    putValue(body, uint32_t(model.state.size()));
    for (const NamedValues &t : model.state) {
        putText(body, t.name);
        putValue(body, uint64_t(t.values.size()));
        body.append(reinterpret_cast<const char *>(t.values.data()), t.values.size() * sizeof(float));
    }
    if (body.size() + 16 > kMaxModelFileBytes)
        throw EngineError("cannot write model file " + path + ": " + std::to_string(body.size() + 16)
                          + " bytes, more than the 1 GiB a model file may have");
    writeModelFile(path, body);
}

GraphModelFile loadGraphModel(const std::string &path)
{
    const ModelFileBody body = readModelFileBody(path, kGraphModelFileVersion);
    ModelFileReader r(path, body);

    GraphModelFile model;
    applySettings(Settings(path, r.lengthPrefixedText(kMaxSettingsBytes, "settings")), model.config, path);
    GraphReader g(r);
    model.spec.name = r.lengthPrefixedText(kMaxNameBytes, "model name");
    model.spec.input = g.shape("model input");
    model.config.inputShape = g.shape("input");
    model.config.classes = g.integer("classes", 0, kMaxSetting);
    const uint32_t blocks = r.get<uint32_t>("block count");
    for (uint32_t i = 0; i < blocks; ++i) {
        BlockSpec b;
        b.name = r.lengthPrefixedText(kMaxNameBytes, "block name");
        b.residual = g.flag("block \"" + b.name + "\" residual");
        b.projection = g.flag("block \"" + b.name + "\" projection");
        b.body = g.nodes(b.name, "body");
        b.afterAdd = g.nodes(b.name, "after-add");
        model.spec.blocks.push_back(std::move(b));
    }
    // A model described layer by layer is named by no preset: the file's description is then the
    // only one there is, and what evaluation rebuilds.
    if (!isModelPreset(model.config.model)) {
        if (model.config.model.empty() || model.spec.name != model.config.model)
            throw EngineError(path + ": the settings name model \"" + model.config.model + "\", the graph is named \""
                              + model.spec.name + "\"");
        model.config.customModel = std::make_shared<const ModelSpec>(model.spec);
    }
    const uint32_t tensors = r.get<uint32_t>("tensor count");
    for (uint32_t i = 0; i < tensors; ++i) {
        NamedValues t;
        t.name = r.lengthPrefixedText(kMaxNameBytes, "tensor name");
        const uint64_t count = r.get<uint64_t>("tensor size");
        if (count > r.remaining() / sizeof(float))
            throw EngineError(path + ": truncated model file: tensor \"" + t.name + "\" has " + std::to_string(count)
                              + " values, only " + std::to_string(r.remaining()) + " bytes remain");
        r.floats(t.values, size_t(count), "tensor values");
        model.state.push_back(std::move(t));
    }
    if (r.remaining() != 0)
        throw EngineError(path + ": " + std::to_string(r.remaining()) + " bytes after the last tensor at offset "
                          + std::to_string(r.position())
                          + "; the file is not a version 2 model as this build writes it");
    return model;
}

uint32_t modelFileVersion(const std::string &path)
{
    return readModelFileBody(path).version;
}

} // namespace ffint8
