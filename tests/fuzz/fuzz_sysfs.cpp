// Fuzzes the INA3221 (JetPack 4 and 5+ layouts) and RAPL sysfs readers: the input, split at 0x01
// bytes, becomes the contents of the files they read, in a scratch sysfs tree.
#include "app/telemetry/ina3221_source.h"
#include "app/telemetry/rapl_source.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/qt_fuzz_init.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

// The files filled from the input, in order; a file past the input's last part is removed.
const char *const kFiles[] = {
    "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/in1_label",
    "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/in1_input",
    "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/curr1_input",
    "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/in2_label",
    "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/in2_input",
    "bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/curr2_input",
    "bus/i2c/drivers/ina3221x/0-0040/iio:device0/rail_name_0",
    "bus/i2c/drivers/ina3221x/0-0040/iio:device0/in_power0_input",
    "class/powercap/intel-rapl:0/energy_uj",
    "class/powercap/intel-rapl:0/max_energy_range_uj",
};

std::string root()
{
    static const std::string path = ffint8::fuzz::scratchFile(nullptr, 0, "-sysfs") + ".d";
    return path;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ffint8::fuzz::initialiseQt(argc, argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    namespace fs = std::filesystem;
    std::vector<std::string> parts(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0x01)
            parts.emplace_back();
        else
            parts.back().push_back(char(data[i]));
    }
    size_t part = 0;
    for (const char *file : kFiles) {
        const fs::path path = fs::path(root()) / file;
        fs::create_directories(path.parent_path());
        if (part < parts.size())
            std::ofstream(path, std::ios::binary | std::ios::trunc) << parts[part++];
        else
            fs::remove(path);
    }
    const QString sysfs = QString::fromStdString(root());
    return ffint8::fuzz::refusalsPass([&] {
        QString reason;
        ffint8::Ina3221Source::available(sysfs, &reason);
        ffint8::Ina3221Source ina(sysfs);
        ffint8::TelemetrySample sample;
        ina.read(sample);
        ffint8::RaplSource rapl(sysfs);
        if (auto energy = rapl.readEnergyMicrojoules())
            rapl.energyBetween(*energy, *energy / 2);
    });
}
