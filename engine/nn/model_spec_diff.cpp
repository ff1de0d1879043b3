// Comparing model descriptions field by field, in the order a summary lists them.
#include "engine/nn/model_spec_diff.h"

#include <algorithm>
#include <cstdio>

namespace ffint8 {

namespace {

class Comparison
{
public:
    Comparison(const std::string &aLabel, const std::string &bLabel) : m_aLabel(aLabel), m_bLabel(bLabel) { }

    // Records the first difference only: later ones usually follow from it.
    void field(const std::string &where, const std::string &a, const std::string &b)
    {
        if (m_difference.empty() && a != b)
            m_difference = where + ": " + a + " in " + m_aLabel + ", " + b + " in " + m_bLabel;
    }
    void field(const std::string &where, int a, int b) { field(where, std::to_string(a), std::to_string(b)); }
    void flag(const std::string &where, bool a, bool b) { field(where, a ? "on" : "off", b ? "on" : "off"); }
    const std::string &difference() const { return m_difference; }

private:
    std::string m_aLabel, m_bLabel;
    std::string m_difference;
};

std::string quoted(const std::string &s)
{
    return "\"" + s + "\"";
}

// Exactly as held (9 significant digits round-trip an FP32), so a changed rate always shows.
std::string rateText(float rate)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", double(rate));
    return text;
}

void compareNodes(Comparison &c, const BlockSpec &a, const BlockSpec &b, size_t offset, size_t count)
{
    for (size_t i = offset; i < offset + count; ++i) {
        const NodeSpec &x = i < a.body.size() ? a.body[i] : a.afterAdd[i - a.body.size()];
        const NodeSpec &y = i < b.body.size() ? b.body[i] : b.afterAdd[i - b.body.size()];
        const std::string where = "layer " + quoted(ModelSpec::nodeName(a, i));
        c.field(where + " kind", nodeKindName(x.kind), nodeKindName(y.kind));
        c.field(where + " name", quoted(x.name), quoted(y.name));
        c.field(where + " out", x.out, y.out);
        c.field(where + " kernel", x.kernel, y.kernel);
        c.field(where + " stride", x.stride, y.stride);
        c.field(where + " padding", x.padding, y.padding);
        c.field(where + " groups", x.groups, y.groups);
        c.flag(where + " bias", x.bias, y.bias);
        c.field(where + " rate", rateText(x.rate), rateText(y.rate));
        if (!c.difference().empty())
            return;
    }
}

} // namespace

std::string modelSpecDifference(const ModelSpec &a, const ModelSpec &b, const std::string &aLabel,
                                const std::string &bLabel)
{
    Comparison c(aLabel, bLabel);
    c.field("model name", quoted(a.name), quoted(b.name));
    c.field("model input", a.input.text(), b.input.text());
    const size_t blocks = std::min(a.blocks.size(), b.blocks.size());
    for (size_t i = 0; i < blocks && c.difference().empty(); ++i) {
        const BlockSpec &x = a.blocks[i], &y = b.blocks[i];
        const std::string where = "block " + std::to_string(i + 1);
        c.field(where + " name", quoted(x.name), quoted(y.name));
        c.flag("block " + quoted(x.name) + " residual", x.residual, y.residual);
        if (x.residual)
            c.flag("block " + quoted(x.name) + " projection", x.projection, y.projection);
        c.field("block " + quoted(x.name) + " body layers", int(x.body.size()), int(y.body.size()));
        c.field("block " + quoted(x.name) + " layers after the add", int(x.afterAdd.size()), int(y.afterAdd.size()));
        if (c.difference().empty())
            compareNodes(c, x, y, 0, x.body.size() + x.afterAdd.size());
    }
    c.field("block count", int(a.blocks.size()), int(b.blocks.size()));
    return c.difference();
}

} // namespace ffint8
