// Suite parsing and sweep expansion.
#include "app/spec/suite.h"

#include "app/spec/json_positions.h"
#include "app/spec/spec_error.h"
#include "app/spec/spec_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <limits>

namespace ffint8 {

namespace {

const QStringList kSuiteKeys = {"format", "version", "name", "description", "base", "set", "sweep", "runs", "store"};
const QStringList kEntryKeys = {"name", "spec", "set", "sweep"};

class SuiteReader
{
public:
    SuiteReader(const QByteArray &text, const QString &path) : m_text(text), m_path(path) {}

    [[noreturn]] void fail(const QString &jsonPath, const QString &message) const
    {
        throw SpecError(jsonFieldError(m_text, m_path, jsonPath, message));
    }

    void checkKeys(const QJsonObject &object, const QStringList &valid, const QString &prefix) const
    {
        for (auto it = object.begin(); it != object.end(); ++it)
            if (!valid.contains(it.key()))
                fail(prefix.isEmpty() ? it.key() : prefix + '.' + it.key(),
                     QStringLiteral("unknown field; valid here: %1").arg(valid.join(", ")));
    }

    QJsonObject objectAt(const QJsonObject &parent, const QString &key, const QString &jsonPath) const
    {
        const QJsonValue v = parent.value(key);
        if (!v.isUndefined() && !v.isObject())
            fail(jsonPath, "expected an object of setting paths, e.g. {\"training.lr\": 0.01}");
        return v.toObject();
    }

    // A spec named in the suite: next to the suite file, else a built-in experiment.
    ExperimentSpec loadSpec(const QJsonValue &value, const QString &jsonPath) const
    {
        if (!value.isString())
            fail(jsonPath, "expected the file name of an experiment spec (or a built-in experiment's name)");
        const QString name = value.toString();
        const QString beside = QDir(QFileInfo(m_path).absolutePath()).filePath(name);
        if (QFileInfo::exists(beside))
            return parseSpecFile(beside);
        const QString builtIn = builtInExperiment(QFileInfo(name).completeBaseName());
        if (!builtIn.isEmpty())
            return parseSpecFile(builtIn);
        fail(jsonPath, QStringLiteral("no spec %1 (looked for %2 and a built-in experiment of that name)").arg(name, beside));
    }

    void applySet(ExperimentSpec &spec, const QJsonObject &set, const QString &jsonPrefix) const
    {
        for (auto it = set.begin(); it != set.end(); ++it)
            applySpecValue(spec, it.key(), it.value(), m_text, m_path, jsonPrefix + '.' + it.key());
    }

    // Every combination of the sweep's values, in the order written (the first setting varies slowest).
    QList<ExperimentSpec> expand(const ExperimentSpec &spec, const QJsonObject &sweep, const QString &jsonPrefix) const
    {
        QList<ExperimentSpec> specs{spec};
        for (auto it = sweep.begin(); it != sweep.end(); ++it) {
            const QString at = jsonPrefix + '.' + it.key();
            if (!it.value().isArray() || it.value().toArray().isEmpty())
                fail(at, "expected a non-empty array of values to sweep over");
            QList<ExperimentSpec> next;
            for (const ExperimentSpec &base : specs) {
                const QJsonArray values = it.value().toArray();
                for (qsizetype i = 0; i < values.size(); ++i) {
                    ExperimentSpec variant = base;
                    applySpecValue(variant, it.key(), values[i], m_text, m_path, at + '.' + QString::number(i));
                    const QString shown = values[i].isString() ? values[i].toString() : QString::fromUtf8(QJsonDocument(QJsonArray{values[i]}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
                    variant.name += QStringLiteral(" %1=%2").arg(it.key().section('.', -1), shown);
                    next << variant;
                }
            }
            specs = next;
        }
        return specs;
    }

    // How many runs a sweep makes of one, from the sizes of its arrays alone (saturating).
    static quint64 sweepSize(const QJsonObject &sweep)
    {
        quint64 runs = 1;
        for (auto it = sweep.begin(); it != sweep.end(); ++it) {
            const quint64 values = it.value().isArray() ? quint64(it.value().toArray().size()) : 1;
            if (values > 0 && __builtin_mul_overflow(runs, values, &runs))
                return std::numeric_limits<quint64>::max();
        }
        return runs;
    }

    // Refuses a suite that would expand past kMaxSuiteRuns, before a single run is built.
    void checkSize(const QJsonObject &root) const
    {
        const quint64 perRun = sweepSize(root.value("sweep").toObject());
        quint64 total = 0;
        if (!root.value("runs").isArray()) {
            total = perRun;
        } else {
            for (const QJsonValue &entry : root.value("runs").toArray()) {
                quint64 runs = 0;
                if (__builtin_mul_overflow(sweepSize(entry.toObject().value("sweep").toObject()), perRun, &runs) ||
                    __builtin_add_overflow(total, runs, &total))
                    total = std::numeric_limits<quint64>::max();
            }
        }
        if (total > kMaxSuiteRuns) {
            const QString count = total == std::numeric_limits<quint64>::max() ? QStringLiteral("more than 2^64") : QString::number(total);
            fail(root.contains("sweep") ? "sweep" : "runs",
                 QStringLiteral("the suite expands to %1 runs, more than the limit of %2; split it into smaller suites")
                     .arg(count).arg(kMaxSuiteRuns));
        }
    }

private:
    const QByteArray &m_text;
    QString m_path;
};

} // namespace

QString builtInExperiment(const QString &name)
{
    const QString path = QStringLiteral(":/experiments/%1.json").arg(name);
    return !name.isEmpty() && QFile::exists(path) ? path : QString();
}

bool isSuiteFile(const QString &path)
{
    try {
        return QJsonDocument::fromJson(readSpecFile(path, QStringLiteral("suite"))).object().value("format").toString() ==
               "ffint8-suite";
    } catch (const SpecError &) {
        return false; // unreadable or too large: parsing it as a spec then says so
    }
}

QStringList builtInSuiteNames()
{
    QStringList names;
    for (const QString &f : QDir(QStringLiteral(":/experiments")).entryList({"*.json"}, QDir::Files, QDir::Name))
        if (isSuiteFile(QStringLiteral(":/experiments/") + f))
            names << f.section('.', 0, 0);
    return names;
}

Suite parseSuiteFile(const QString &path)
{
    const QByteArray text = readSpecFile(path, QStringLiteral("suite"));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        const TextPosition at = positionAt(text, error.offset);
        throw SpecError(QStringLiteral("%1:%2:%3: malformed JSON: %4").arg(path).arg(at.line).arg(at.column).arg(error.errorString()));
    }
    if (!doc.isObject())
        throw SpecError(QStringLiteral("%1:1:1: a suite or experiment spec is a JSON object").arg(path));
    const QJsonObject root = doc.object();
    Suite suite;
    suite.sourcePath = path;
    if (root.value("format").toString() != "ffint8-suite") {
        const ExperimentSpec spec = parseSpecFile(path);
        suite.name = spec.name;
        suite.runs << spec;
        return suite;
    }
    suite.isSuite = true;
    SuiteReader reader(text, path);
    reader.checkKeys(root, kSuiteKeys, QString());
    if (root.value("version").toInt(-1) != kSuiteVersion)
        reader.fail("version", QStringLiteral("this build reads suite version %1").arg(kSuiteVersion));
    suite.name = root.value("name").toString(QFileInfo(path).completeBaseName());
    suite.description = root.value("description").toString();
    reader.checkSize(root);

    ExperimentSpec base;
    base.name = suite.name;
    if (root.contains("base"))
        base = reader.loadSpec(root.value("base"), "base");
    reader.applySet(base, reader.objectAt(root, "set", "set"), "set");
    const QJsonObject sweep = reader.objectAt(root, "sweep", "sweep");

    if (!root.contains("runs")) {
        suite.runs = reader.expand(base, sweep, "sweep");
    } else {
        if (!root.value("runs").isArray() || root.value("runs").toArray().isEmpty())
            reader.fail("runs", "expected a non-empty array of runs");
        const QJsonArray entries = root.value("runs").toArray();
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const QString at = QStringLiteral("runs.%1").arg(i);
            if (!entries[i].isObject())
                reader.fail(at, "expected an object with name, spec, set and sweep");
            const QJsonObject entry = entries[i].toObject();
            reader.checkKeys(entry, kEntryKeys, at);
            ExperimentSpec spec = entry.contains("spec") ? reader.loadSpec(entry.value("spec"), at + ".spec") : base;
            if (entry.contains("spec"))
                reader.applySet(spec, reader.objectAt(root, "set", "set"), "set");
            reader.applySet(spec, reader.objectAt(entry, "set", at + ".set"), at + ".set");
            spec.name = entry.value("name").toString(QStringLiteral("%1 %2").arg(suite.name, algorithmName(spec.config.algorithm)));
            for (const ExperimentSpec &run : reader.expand(spec, reader.objectAt(entry, "sweep", at + ".sweep"), at + ".sweep"))
                suite.runs << reader.expand(run, sweep, "sweep");
        }
    }
    if (root.contains("store")) {
        const QString store = storeOf(root.value("store"), [&](const QString &why) { reader.fail("store", why); });
        for (ExperimentSpec &spec : suite.runs)
            spec.store = store;
    }
    for (const ExperimentSpec &spec : suite.runs) {
        try {
            spec.config.validate();
        } catch (const std::exception &e) {
            throw SpecError(QStringLiteral("%1: run '%2': %3").arg(path, spec.name, QString::fromUtf8(e.what())));
        }
    }
    return suite;
}

} // namespace ffint8
