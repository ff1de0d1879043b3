// The model file format (little-endian):
//   "FFINT8MD" | u32 version | u32 settings length | settings ("key=value\n" lines) |
//   u32 layer count | per layer: i32 in, i32 out, f32 weights[out*in], f32 bias[out] |
//   u64 FNV-1a hash of everything after the magic (model_file_bytes.h).
#include "engine/io/model_file.h"

#include "engine/core/error.h"

#include <map>
#include <sstream>

namespace ffint8 {

namespace {

std::string settingsText(const TrainConfig &c)
{
    std::ostringstream s;
    s << "algorithm=" << algorithmName(c.algorithm) << "\n";
    s << "goodness=" << (c.goodness == Goodness::Sum ? "sum" : "mean") << "\n";
    s << "theta=" << c.theta << "\n";
    s << "label_value=" << (c.labelValue == LabelValue::One ? "one" : "image_max") << "\n";
    s << "predict_from_layer=" << c.predictFromLayer << "\n";
    s << "weights_per_channel=" << (c.quant.weightsPerChannel ? 1 : 0) << "\n";
    s << "dataset=" << c.dataset << "\n";
    return s.str();
}

void applySettings(const std::string &path, const std::string &text, TrainConfig &c)
{
    std::map<std::string, std::string> kv;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos)
            kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    auto value = [&](const char *key) {
        auto it = kv.find(key);
        if (it == kv.end())
            throw EngineError(path + ": model settings lack '" + key + "'");
        return it->second;
    };
    std::string algo = value("algorithm");
    if (!algorithmFromName(algo, c.algorithm))
        throw EngineError(path + ": model of algorithm '" + algo + "', which this build cannot evaluate");
    c.goodness = value("goodness") == "sum" ? Goodness::Sum : Goodness::Mean;
    c.theta = std::stof(value("theta"));
    c.labelValue = value("label_value") == "one" ? LabelValue::One : LabelValue::ImageMax;
    c.predictFromLayer = std::stoi(value("predict_from_layer"));
    c.quant.weightsPerChannel = value("weights_per_channel") == "1";
    c.dataset = value("dataset");
}

} // namespace

void saveModel(const std::string &path, const ModelFile &model)
{
    std::string body;
    putValue(body, kModelFileVersion);
    putText(body, settingsText(model.config));
    putValue(body, uint32_t(model.layers.size()));
    for (const auto &l : model.layers) {
        putValue(body, int32_t(l.in));
        putValue(body, int32_t(l.out));
        body.append(reinterpret_cast<const char *>(l.weights.data()), l.weights.size() * sizeof(float));
        body.append(reinterpret_cast<const char *>(l.bias.data()), l.bias.size() * sizeof(float));
    }
    writeModelFile(path, body);
}

ModelFile loadModel(const std::string &path)
{
    const ModelFileBody body = readModelFileBody(path, kModelFileVersion);
    ModelFileReader r(path, body);

    ModelFile model;
    uint32_t settingsLength = r.get<uint32_t>("settings length");
    applySettings(path, r.text(settingsLength, "settings"), model.config);
    uint32_t layers = r.get<uint32_t>("layer count");
    model.config.layers.clear();
    for (uint32_t i = 0; i < layers; ++i) {
        LayerParameters l;
        l.in = r.get<int32_t>("layer input width");
        l.out = r.get<int32_t>("layer output width");
        if (l.in <= 0 || l.out <= 0 || (i > 0 && l.in != model.layers.back().out))
            throw EngineError(path + ": layer " + std::to_string(i) + " has shape " + std::to_string(l.in) + " -> " +
                              std::to_string(l.out) + ", which does not chain");
        r.floats(l.weights, size_t(l.in) * size_t(l.out), "layer weights");
        r.floats(l.bias, size_t(l.out), "layer bias");
        if (i == 0)
            model.config.layers.push_back(l.in);
        model.config.layers.push_back(l.out);
        model.layers.push_back(std::move(l));
    }
    if (model.layers.empty())
        throw EngineError(path + ": model file has no layers");
    // A BP network's last layer is its classifier head, which is not part of config.layers.
    if (!isForwardForward(model.config.algorithm))
        model.config.layers.pop_back();
    return model;
}

} // namespace ffint8
