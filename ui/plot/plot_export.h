// Saves a plot as an image or a vector figure, the format chosen by the file's suffix.
#pragma once

#include <QString>

class QCustomPlot;

namespace ffint8 {

// ".png" (the plot's size in pixels), ".pdf" or ".svg" (vector, the plot's size in points), suffix in
// any case. Returns false with `error` (where given) naming the file and the reason: an unknown
// suffix, or a file that cannot be written and why.
bool savePlot(QCustomPlot *plot, const QString &path, QString *error = nullptr);

} // namespace ffint8
