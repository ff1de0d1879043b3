// Small datasets the tests make themselves: separable clusters in memory, and IDX files on disk.
#pragma once

#include "engine/core/counter_rng.h"
#include "engine/data/dataset.h"

#include <QDir>
#include <QFile>
#include <QString>

#include <cstdint>

namespace ffint8::testing {

// `count` examples of 10 classes over `features` values. The first 10 values are zero (FF puts the
// label there); of the rest, class k lights up every tenth one starting at k, and every value gets
// uniform noise. Separable, but only by relating the image to the label, as FF must.
inline Dataset clusters(int count, int features, uint64_t seed, float noise = 0.3f)
{
    std::vector<float> prototypes(size_t(10) * features, 0.0f);
    for (int k = 0; k < 10; ++k)
        for (int f = 10 + k; f < features; f += 10)
            prototypes[size_t(k) * features + f] = 1.0f;
    SplitMix64 rng(seed);
    Dataset d;
    d.name = "clusters";
    d.count = count;
    d.height = 1;
    d.width = features;
    d.images.resize(size_t(count) * features);
    d.labels.resize(size_t(count));
    for (int i = 0; i < count; ++i) {
        int label = int(rng.below(10));
        d.labels[size_t(i)] = uint8_t(label);
        for (int f = 0; f < features; ++f) {
            float v = prototypes[size_t(label) * features + f] * (1.0f - noise) + noise * rng.uniform();
            d.images[size_t(i) * features + f] = f < 10 ? 0.0f : v;
        }
    }
    return d;
}

inline DatasetSplits clusterSplits(int train, int test, int features, uint64_t seed = 1)
{
    DatasetSplits s;
    s.train = clusters(train, features, seed);
    s.test = clusters(test, features, seed + 1000);
    return s;
}

// Square one-channel images of 10 classes over noise: image i of class k gets `bright` where
// lit(k, y, x) says so, plus `noise` times a uniform value. Train and test `count` images each
// (`testCount` when given), drawn from one stream.
template <typename Lit>
DatasetSplits patternSplits(const char *name, int side, int count, uint64_t seed, float bright, float noise, Lit lit,
                            int testCount = -1)
{
    DatasetSplits s;
    SplitMix64 rng(seed);
    const size_t pixels = size_t(side) * size_t(side);
    for (Dataset *d : {&s.train, &s.test}) {
        const int n = d == &s.test && testCount >= 0 ? testCount : count;
        d->name = name;
        d->count = n;
        d->height = d->width = side;
        d->images.resize(size_t(n) * pixels);
        d->labels.resize(size_t(n));
        for (int i = 0; i < n; ++i) {
            const int label = int(rng.below(10));
            d->labels[size_t(i)] = uint8_t(label);
            for (size_t p = 0; p < pixels; ++p) {
                const bool on = lit(label, int(p) / side, int(p) % side);
                d->images[size_t(i) * pixels + p] = (on ? bright : 0.0f) + noise * rng.uniform();
            }
        }
    }
    return s;
}

// 12x12 images of 10 classes: each class a bright bar at its own place (rows for 0-4, columns for
// 5-9) over noise; `test` test images.
inline DatasetSplits barSplits(int train, int test)
{
    return patternSplits(
        "bars", 12, train, 5, 0.8f, 0.2f,
        [](int label, int y, int x) {
            return label < 5 ? (y == 2 * label + 1 && x > 1 && x < 10) : (x == 2 * (label - 5) + 1 && y > 1 && y < 10);
        },
        test);
}

// 28x28 images of 10 classes, each class a bright square at its own place over noise.
inline DatasetSplits squareSplits(int count)
{
    return patternSplits("squares", 28, count, 21, 0.7f, 0.3f, [](int label, int y, int x) {
        const int cy = 4 + (label / 5) * 12, cx = 2 + (label % 5) * 5;
        return y >= cy && y < cy + 6 && x >= cx && x < cx + 4;
    });
}

inline void writeBigEndian(QByteArray &out, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((v >> shift) & 0xFF));
}

// Writes `d` (height x width images, values in [0, 1]) as raw IDX files named `prefix`-images-idx3-ubyte
// and `prefix`-labels-idx1-ubyte into `dir`.
inline bool writeIdx(const QString &dir, const QString &prefix, const Dataset &d)
{
    QByteArray images, labels;
    writeBigEndian(images, 0x00000803);
    writeBigEndian(images, uint32_t(d.count));
    writeBigEndian(images, uint32_t(d.height));
    writeBigEndian(images, uint32_t(d.width));
    for (float v : d.images)
        images.append(char(uint8_t(std::lround(v * 255.0f))));
    writeBigEndian(labels, 0x00000801);
    writeBigEndian(labels, uint32_t(d.count));
    for (uint8_t l : d.labels)
        labels.append(char(l));
    QFile fi(QDir(dir).filePath(prefix + "-images-idx3-ubyte")), fl(QDir(dir).filePath(prefix + "-labels-idx1-ubyte"));
    return fi.open(QIODevice::WriteOnly) && fi.write(images) == images.size() && fl.open(QIODevice::WriteOnly) &&
           fl.write(labels) == labels.size();
}

// A 28 x 28 clusters dataset written as an MNIST-style folder (train and t10k files).
inline bool writeIdxClusters(const QString &dir, int train, int test)
{
    Dataset tr = clusters(train, 784, 1), te = clusters(test, 784, 2);
    tr.height = te.height = 28;
    tr.width = te.width = 28;
    return writeIdx(dir, "train", tr) && writeIdx(dir, "t10k", te);
}

// The folder `dir`/clusters made and filled as above; its path, or empty when it could not be written.
inline QString clusterFolder(const QString &dir, int train, int test)
{
    const QString folder = QDir(dir).filePath("clusters");
    return QDir().mkpath(folder) && writeIdxClusters(folder, train, test) ? folder : QString();
}

} // namespace ffint8::testing
