// Label embedding for FF on model graphs.
#include "engine/train/label_embedding.h"

#include "engine/core/error.h"

#include <algorithm>

namespace ffint8 {

LabelEmbedding resolvedEmbedding(LabelEmbedding embedding, const ModelSpec &model)
{
    if (embedding != LabelEmbedding::Auto)
        return embedding;
    return model.input.channels > 0 && model.input.isFlat() ? LabelEmbedding::Pixels : LabelEmbedding::Channels;
}

const char *labelEmbeddingName(LabelEmbedding embedding)
{
    switch (embedding) {
    case LabelEmbedding::Auto:
        return "auto";
    case LabelEmbedding::Pixels:
        return "pixels";
    case LabelEmbedding::Channels:
        return "channels";
    }
    return "?";
}

bool labelEmbeddingFromName(const std::string &name, LabelEmbedding &out)
{
    for (LabelEmbedding e : {LabelEmbedding::Auto, LabelEmbedding::Pixels, LabelEmbedding::Channels}) {
        if (name == labelEmbeddingName(e)) {
            out = e;
            return true;
        }
    }
    return false;
}

Shape embeddedShape(Shape data, LabelEmbedding embedding, int classes)
{
    if (embedding == LabelEmbedding::Channels)
        return Shape::image(data.channels + classes, data.height, data.width);
    if (embedding == LabelEmbedding::Pixels && data.height * data.width < classes)
        throw EngineError("label embedding \"pixels\": examples of " + data.text() + " have "
                          + std::to_string(data.height * data.width) + " pixels, fewer than the "
                          + std::to_string(classes) + " classes; use \"channels\"");
    return data;
}

void embedLabel(const float *image, Shape data, LabelEmbedding embedding, int classes, int label, float value,
                float *out)
{
    const int channels = data.channels;
    const int pixels = data.height * data.width;
    const bool neutral = label < 0;
    const float rest = neutral ? value / float(classes) : 0.0f;
    if (embedding == LabelEmbedding::Channels) {
        const int width = channels + classes;
        for (int p = 0; p < pixels; ++p) {
            float *dst = out + size_t(p) * size_t(width);
            std::copy(image + size_t(p) * size_t(channels), image + size_t(p + 1) * size_t(channels), dst);
            std::fill(dst + channels, dst + width, rest);
            if (!neutral)
                dst[channels + label] = value;
        }
        return;
    }
    std::copy(image, image + size_t(pixels) * size_t(channels), out);
    std::fill(out, out + size_t(classes) * size_t(channels), rest);
    if (!neutral)
        std::fill(out + size_t(label) * size_t(channels), out + size_t(label + 1) * size_t(channels), value);
}

} // namespace ffint8
