// The model file format (little-endian):
//   "FFINT8MD" | u32 version | u32 settings length | settings ("key=value\n" lines) |
//   u32 layer count | per layer: i32 in, i32 out, f32 weights[out*in], f32 bias[out] |
//   u64 FNV-1a hash of everything after the magic.
#include "engine/io/model_file.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

namespace ffint8 {

namespace {

constexpr char kMagic[8] = {'F', 'F', 'I', 'N', 'T', '8', 'M', 'D'};

uint64_t fnv1a(const char *data, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < n; ++i)
        h = (h ^ uint8_t(data[i])) * 0x100000001B3ULL;
    return h;
}

template <typename T> void put(std::string &out, const T &v) { out.append(reinterpret_cast<const char *>(&v), sizeof v); }

class Reader
{
public:
    Reader(const std::string &path, const std::string &bytes, size_t end) : m_path(path), m_bytes(bytes), m_end(end) {}
    template <typename T> T get(const char *what)
    {
        T v;
        need(sizeof v, what);
        std::memcpy(&v, m_bytes.data() + m_pos, sizeof v);
        m_pos += sizeof v;
        return v;
    }
    void floats(std::vector<float> &v, size_t n, const char *what)
    {
        need(n * sizeof(float), what);
        v.resize(n);
        std::memcpy(v.data(), m_bytes.data() + m_pos, n * sizeof(float));
        m_pos += n * sizeof(float);
    }
    std::string text(size_t n, const char *what)
    {
        need(n, what);
        std::string s = m_bytes.substr(m_pos, n);
        m_pos += n;
        return s;
    }
    size_t position() const { return m_pos; }
    void skip(size_t n) { m_pos += n; }

private:
    void need(size_t n, const char *what)
    {
        if (m_pos + n > m_end)
            throw EngineError(m_path + ": truncated model file: " + what + " needs " + std::to_string(n) +
                              " bytes at offset " + std::to_string(m_pos) + ", only " + std::to_string(m_end - m_pos) +
                              " remain");
    }
    const std::string &m_path;
    const std::string &m_bytes;
    size_t m_end;
    size_t m_pos = 0;
};

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
    put(body, kModelFileVersion);
    std::string settings = settingsText(model.config);
    put(body, uint32_t(settings.size()));
    body += settings;
    put(body, uint32_t(model.layers.size()));
    for (const auto &l : model.layers) {
        put(body, int32_t(l.in));
        put(body, int32_t(l.out));
        body.append(reinterpret_cast<const char *>(l.weights.data()), l.weights.size() * sizeof(float));
        body.append(reinterpret_cast<const char *>(l.bias.data()), l.bias.size() * sizeof(float));
    }
    put(body, fnv1a(body.data(), body.size()));

    // Written beside the target and renamed over it, so a crash never leaves half a model.
    const std::string temp = path + ".partial";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw EngineError("cannot write model file " + temp + ": " + std::strerror(errno));
        out.write(kMagic, sizeof kMagic);
        out.write(body.data(), std::streamsize(body.size()));
        if (!out.flush())
            throw EngineError("writing model file " + temp + " failed: " + std::strerror(errno));
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0)
        throw EngineError("cannot rename " + temp + " to " + path + ": " + std::strerror(errno));
}

ModelFile loadModel(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw EngineError("cannot open model file " + path + ": " + std::strerror(errno));
    // Read whole, so its size is checked first: a model that large is a wrong path, not a model.
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxModelFileBytes)
        throw EngineError(path + ": " + std::to_string(size) + " bytes is larger than the limit of " +
                          std::to_string(kMaxModelFileBytes) + " bytes for a model file");
    std::string bytes(size_t(std::min<uintmax_t>(ec ? 0 : size, kMaxModelFileBytes)), '\0');
    in.read(bytes.data(), std::streamsize(bytes.size()));
    bytes.resize(size_t(in.gcount()));
    if (ec) // not a regular file: read what comes, up to the limit
        for (char c; bytes.size() <= kMaxModelFileBytes && in.get(c);)
            bytes.push_back(c);
    if (bytes.size() > kMaxModelFileBytes)
        throw EngineError(path + ": larger than the limit of " + std::to_string(kMaxModelFileBytes) +
                          " bytes for a model file");
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw EngineError(path + " is not an FF-INT8 model file (it does not start with \"FFINT8MD\")");
    if (bytes.size() < sizeof kMagic + 4 + 8)
        throw EngineError(path + ": truncated model file (" + std::to_string(bytes.size()) + " bytes)");
    const std::string body = bytes.substr(sizeof kMagic);
    Reader r(path, body, body.size() - sizeof(uint64_t));
    uint32_t version = r.get<uint32_t>("version");
    if (version != kModelFileVersion)
        throw EngineError(path + ": model file version " + std::to_string(version) + "; this build reads version " +
                          std::to_string(kModelFileVersion));
    uint64_t stored;
    std::memcpy(&stored, body.data() + body.size() - sizeof stored, sizeof stored);
    if (stored != fnv1a(body.data(), body.size() - sizeof stored))
        throw EngineError(path + ": model file is corrupt or truncated (checksum mismatch)");

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
