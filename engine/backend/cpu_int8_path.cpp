// The cpu backend's choice of INT8 GEMM path from oneDNN's effective ISA and the CPU's features.
#include "engine/backend/cpu_int8_path.h"

#include "engine/backend/int8/int8_gemm.h"
#include "engine/core/error.h"

#include <cstdlib>
#include <oneapi/dnnl/dnnl.h>

namespace ffint8 {

namespace {

#if defined(__x86_64__) || defined(__i386__)
// dnnl_cpu_isa_t is a set of bits, each level adding its own (dnnl_types.h): tested by bit so that
// the code also builds against oneDNN releases whose enum lacks the newer names.
constexpr unsigned kAvx2Bits = 0x7;
constexpr unsigned kAvx512VnniBit = 0x40; // avx512_core_vnni, and bf16 and amx above it
constexpr unsigned kAvx2VnniBit = 0x400;

unsigned effectiveIsa()
{
    return unsigned(dnnl_get_effective_cpu_isa());
}
bool isaHasVnni()
{
    return (effectiveIsa() & (kAvx512VnniBit | kAvx2VnniBit)) != 0;
}
bool isaHasAvx2()
{
    return (effectiveIsa() & kAvx2Bits) == kAvx2Bits;
}
#endif

} // namespace

const char *int8PathName(CpuInt8Path path)
{
    switch (path) {
    case CpuInt8Path::OneDnn:
        return "onednn";
    case CpuInt8Path::Avx2:
        return "avx2";
    case CpuInt8Path::NeonDot:
        return "neon-dotprod";
    case CpuInt8Path::Portable:
        return "portable";
    }
    return "?";
}

std::vector<CpuInt8Path> allInt8Paths()
{
    return {CpuInt8Path::OneDnn, CpuInt8Path::Avx2, CpuInt8Path::NeonDot, CpuInt8Path::Portable};
}

CpuInt8Path int8PathFromName(const std::string &name)
{
    for (CpuInt8Path p : allInt8Paths())
        if (name == int8PathName(p))
            return p;
    throw EngineError("unknown INT8 GEMM path '" + name + "' (choices: onednn, avx2, neon-dotprod, portable)");
}

std::string int8PathDescription(CpuInt8Path path)
{
    switch (path) {
    case CpuInt8Path::OneDnn:
#if defined(__x86_64__) || defined(__i386__)
        return "oneDNN s8s8s32 (VNNI: u8 x s8 into 32 bits, exact)";
#else
        return "oneDNN s8s8s32 (reference loops without the Arm Compute Library: exact)";
#endif
    case CpuInt8Path::Avx2:
        return "non-negative A: oneDNN u8s8s32; non-negative B: vpmaddubsw with B unsigned; signed x signed: "
               "vpmaddwd on int16 (all exact)";
    case CpuInt8Path::NeonDot:
        return "sdot: four s8 x s8 products into 32 bits (exact)";
    case CpuInt8Path::Portable:
        return "portable C++ in int32 (exact)";
    }
    return "?";
}

std::string int8PathUnavailableReason(CpuInt8Path path)
{
#if defined(__x86_64__) || defined(__i386__)
    switch (path) {
    case CpuInt8Path::OneDnn:
        return isaHasVnni() ? ""
                            : "oneDNN's ISA here is " + cpuIsaName()
                + ", without VNNI: its s8s8s32 GEMM multiplies pairs into saturating 16 bits";
    case CpuInt8Path::Avx2:
        if (!int8gemm::available(int8gemm::Kernels::Avx2))
            return "this CPU has no AVX2";
        return isaHasAvx2() ? "" : "oneDNN's ISA is held at " + cpuIsaName() + " (below avx2)";
    case CpuInt8Path::NeonDot:
        return "not an aarch64 CPU";
    case CpuInt8Path::Portable:
        return "";
    }
    return "unknown path";
#else
    switch (path) {
    // oneDNN builds without the Arm Compute Library run reference loops: exact, but slower than ours.
    case CpuInt8Path::OneDnn:
        return "";
    case CpuInt8Path::Avx2:
        return "not an x86 CPU";
    case CpuInt8Path::NeonDot:
        return int8gemm::available(int8gemm::Kernels::NeonDot)
            ? ""
            : "this CPU has no dot-product instructions (ARMv8.2 dotprod), or is not an aarch64 CPU";
    case CpuInt8Path::Portable:
        return "";
    }
    return "unknown path";
#endif
}

CpuInt8Path chooseInt8Path(std::optional<CpuInt8Path> requested)
{
    std::string source;
    if (const char *forced = std::getenv("FFINT8_INT8_PATH"); !requested && forced && *forced) {
        requested = int8PathFromName(forced);
        source = std::string(" (FFINT8_INT8_PATH=") + forced + ")";
    }
    if (requested) {
        const std::string why = int8PathUnavailableReason(*requested);
        if (!why.empty())
            throw EngineError(std::string("the ") + int8PathName(*requested) + " INT8 path" + source
                              + " cannot run exactly here: " + why);
        return *requested;
    }
#if defined(__x86_64__) || defined(__i386__)
    if (int8PathUnavailableReason(CpuInt8Path::OneDnn).empty())
        return CpuInt8Path::OneDnn;
    if (int8PathUnavailableReason(CpuInt8Path::Avx2).empty())
        return CpuInt8Path::Avx2;
#endif
    if (int8PathUnavailableReason(CpuInt8Path::NeonDot).empty())
        return CpuInt8Path::NeonDot;
    return CpuInt8Path::Portable;
}

std::string cpuIsaName()
{
#if defined(__x86_64__) || defined(__i386__)
    switch (effectiveIsa()) {
    case 0x3e7:
        return "avx512_core_amx";
    case 0xe7:
        return "avx512_core_bf16";
    case 0x67:
        return "avx512_core_vnni";
    case 0x27:
        return "avx512_core";
    case 0x407:
        return "avx2_vnni";
    case 0x7:
        return "avx2";
    case 0x3:
        return "avx";
    case 0x1:
        return "sse41";
    default:
        return "isa bits " + std::to_string(effectiveIsa());
    }
#elif defined(__aarch64__)
    std::string name = "aarch64 neon";
    if (int8gemm::available(int8gemm::Kernels::NeonDot))
        name += " dotprod";
    return name;
#else
    return "unknown cpu";
#endif
}

} // namespace ffint8
