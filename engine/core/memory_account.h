// The engine's own memory account: bytes held per category, and the peak, on any backend.
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace ffint8 {

// What a buffer is for. FF and BP trainers allocate through the same categories so that their
// memory can be compared honestly (the "memory" column of a result table).
enum class MemoryCategory {
    Weights,        // the weights the GEMMs read (INT8 in INT8 trainers, FP32 otherwise) and biases
    MasterWeights,  // FP32 copies kept beside INT8 weights
    OptimizerState, // momentum, Adam moments
    Activations,    // values kept from the forward pass for the update or backward pass
    Gradients,      // weight, bias and output gradients
    Workspace,      // scratch: quantised operands, GEMM accumulators, evaluation buffers
    Count
};

const char *memoryCategoryName(MemoryCategory category);

struct MemorySnapshot
{
    std::array<size_t, size_t(MemoryCategory::Count)> current{};
    std::array<size_t, size_t(MemoryCategory::Count)> peak{};
    size_t total = 0;
    size_t peakTotal = 0;

    size_t currentOf(MemoryCategory c) const { return current[size_t(c)]; }
    size_t peakOf(MemoryCategory c) const { return peak[size_t(c)]; }
};

class MemoryAccount
{
public:
    void add(MemoryCategory category, size_t bytes);
    void remove(MemoryCategory category, size_t bytes);
    // Starts a new peak window (for example at the start of a run) from what is held now.
    void resetPeak();
    MemorySnapshot snapshot() const { return m_snapshot; }

private:
    MemorySnapshot m_snapshot;
};

} // namespace ffint8
