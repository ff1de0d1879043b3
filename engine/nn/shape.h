// The shape of one example's activations: channels x height x width, stored channels last (NHWC).
// A flat vector of n features is n x 1 x 1, so dense layers and images share one description.
#pragma once

#include <string>

namespace ffint8 {

struct Shape
{
    int channels = 0;
    int height = 1;
    int width = 1;

    static Shape flat(int features) { return {features, 1, 1}; }
    static Shape image(int channels, int height, int width) { return {channels, height, width}; }

    // Values per example: one row of the row-major [batch x features] matrix a layer reads.
    int features() const { return channels * height * width; }
    bool isFlat() const { return height == 1 && width == 1; }
    bool operator==(const Shape &other) const = default;
    // "16x28x28" (channels x height x width), as error messages and summaries print it.
    std::string text() const
    {
        return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
    }
};

} // namespace ffint8
