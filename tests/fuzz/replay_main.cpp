// The main() of a fuzz harness in a normal build: feeds it every file of the folders (or files)
// given, once, so that each seed and each crash the fuzzer ever found stays a test (CTest runs
// this over tests/fuzz/corpus/NAME and tests/fuzz/regressions/NAME).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
// Defined by the harnesses that need one-time setup (a Qt application object), as libFuzzer allows.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

int main(int argc, char **argv)
{
    namespace fs = std::filesystem;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int inputs = 0;
    auto replay = [&](const fs::path &file) {
        std::ifstream in(file, std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::printf("%s (%zu bytes)\n", file.string().c_str(), bytes.size());
        std::fflush(stdout);
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
        ++inputs;
    };
    for (int i = 1; i < argc; ++i) {
        const fs::path path(argv[i]);
        if (fs::is_directory(path)) {
            for (const auto &entry : fs::recursive_directory_iterator(path))
                if (entry.is_regular_file() && entry.path().filename() != "README.md")
                    replay(entry.path());
        } else if (fs::exists(path)) {
            replay(path);
        }
    }
    std::printf("%d inputs replayed, none crashed\n", inputs);
    return 0;
}
