// Which exact INT8 GEMM the cpu backend uses on this CPU: oneDNN's where its s8s8 GEMM is exact
// (VNNI and AMX multiply u8 x s8 into 32 bits), the engine's own AVX2 kernels where oneDNN's would
// saturate, the portable kernels elsewhere (aarch64, x86 below AVX2).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ffint8 {

enum class CpuInt8Path { OneDnn, Avx2, NeonDot, Portable };

const char *int8PathName(CpuInt8Path path); // "onednn", "avx2", "neon-dotprod", "portable"
CpuInt8Path int8PathFromName(const std::string &name); // throws EngineError naming the choices

// What the path does, in a few words (recorded with each run).
std::string int8PathDescription(CpuInt8Path path);

// Empty when `path` is exact and runs on this CPU under oneDNN's effective ISA (which
// ONEDNN_MAX_CPU_ISA may hold down); otherwise why not.
std::string int8PathUnavailableReason(CpuInt8Path path);

// `requested` if given, else the one FFINT8_INT8_PATH names, else the fastest exact path here. An
// EngineError names the path and why when a requested one cannot run exactly on this CPU.
CpuInt8Path chooseInt8Path(std::optional<CpuInt8Path> requested = std::nullopt);

// Every path, best first.
std::vector<CpuInt8Path> allInt8Paths();

// oneDNN's effective ISA on x86 ("avx512_core_vnni", ...); on aarch64 the CPU's features ("aarch64
// neon dotprod").
std::string cpuIsaName();

} // namespace ffint8
