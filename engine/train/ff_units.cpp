// Cutting a model into FF units and planning the shape each unit hands on.
#include "engine/train/ff_units.h"

#include "engine/core/error.h"
#include "engine/nn/model_graph.h"

#include <algorithm>

namespace ffint8 {

namespace {

bool hasWeights(const NodeSpec &n)
{
    return n.kind == NodeKind::Linear || n.kind == NodeKind::Conv2d || n.kind == NodeKind::BatchNorm;
}

bool startsUnit(const NodeSpec &n)
{
    return n.kind == NodeKind::Linear || n.kind == NodeKind::Conv2d;
}

bool blockHasWeights(const BlockSpec &b)
{
    for (const NodeSpec &n : b.body)
        if (hasWeights(n))
            return true;
    for (const NodeSpec &n : b.afterAdd)
        if (hasWeights(n))
            return true;
    return false;
}

// A node with its default name made explicit, so that it keeps its name in a block of its own.
NodeSpec named(const BlockSpec &block, size_t index)
{
    NodeSpec n = index < block.body.size() ? block.body[index] : block.afterAdd[index - block.body.size()];
    const std::string full = ModelSpec::nodeName(block, index);
    n.name = full.substr(block.name.size() + 1);
    return n;
}

// Layer units: a plain block cut before each linear or convolution layer (its leading layers stay
// with the first piece); the pieces keep the block's name, and their layers their names.
std::vector<std::pair<std::string, BlockSpec>> piecesOf(const BlockSpec &block, FfUnit unit)
{
    if (unit == FfUnit::Block || block.residual)
        return {{block.name, block}};
    std::vector<std::pair<std::string, BlockSpec>> pieces;
    for (size_t i = 0; i < block.body.size(); ++i) {
        const NodeSpec n = named(block, i);
        if (pieces.empty()
            || (startsUnit(n)
                && std::any_of(pieces.back().second.body.begin(), pieces.back().second.body.end(), startsUnit))) {
            BlockSpec piece;
            piece.name = block.name;
            pieces.push_back({block.name + "." + n.name, piece});
        }
        pieces.back().second.body.push_back(n);
    }
    if (pieces.size() == 1)
        pieces.front().first = block.name;
    return pieces;
}

} // namespace

std::vector<FfUnitSpec> ffUnits(const ModelSpec &model, Shape input, FfUnit unit)
{
    std::vector<FfUnitSpec> units;
    std::vector<BlockSpec> leading; // blocks without weights before the first unit
    for (const BlockSpec &block : model.blocks) {
        if (!blockHasWeights(block)) {
            if (units.empty())
                leading.push_back(block);
            else
                units.back().spec.blocks.push_back(block);
            continue;
        }
        for (auto &[name, piece] : piecesOf(block, unit)) {
            FfUnitSpec u;
            u.name = name;
            u.spec.name = model.name + " unit " + name;
            u.spec.input = Shape{0, 1, 1};
            if (units.empty()) {
                u.spec.input = model.input;
                u.spec.blocks = std::move(leading);
                leading.clear();
            }
            u.spec.blocks.push_back(std::move(piece));
            units.push_back(std::move(u));
        }
    }
    if (units.empty())
        throw EngineError("model \"" + model.name + "\" has no layer with weights for FF to train");
    // Planned in order: each unit reads what the one before it makes.
    Shape in = input;
    for (FfUnitSpec &u : units) {
        const GraphPlan plan = ModelGraph::plan(u.spec, in, 0);
        u.input = in;
        u.output = plan.layers.back().output;
        in = u.output;
    }
    return units;
}

} // namespace ffint8
