// Experiment spec parsing with errors that point at the line and column of the offending field.
#include "app/spec/experiment_spec.h"

#include "app/spec/custom_model_json.h"
#include "app/spec/json_integer.h"
#include "app/spec/json_positions.h"
#include "app/spec/settings_table.h"
#include "app/spec/spec_error.h"
#include "app/spec/spec_file.h"
#include "app/store/store_address.h"
#include "app/store/store_error.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace ffint8 {

namespace {

const QStringList kTopLevelInfo = {"format", "version", "name", "description", "telemetry", "store"};
const QStringList kTelemetrySources = {"auto", "tegrastats", "ina3221", "nvml", "rapl", "none"};

class SpecReader
{
public:
    SpecReader(const QByteArray &text, const QString &name) : m_text(text), m_name(name) {}

    [[noreturn]] void fail(const QString &path, const QString &message) const
    {
        throw SpecError(jsonFieldError(m_text, m_name, path, message));
    }

    // A JSON number that is a whole number within 64 bits. The range test comes first: converting
    // a double beyond 64 bits to an integer is undefined.
    static bool isWholeNumber(const QJsonValue &v)
    {
        const double d = v.toDouble();
        return v.isDouble() && std::abs(d) < 9.2e18 && d == std::trunc(d);
    }

    QString asText(const QString &path, const QJsonValue &v, const Setting &s) const
    {
        switch (s.kind) {
        case SettingKind::Integer:
            if (!isWholeNumber(v))
                fail(path, "expected an integer");
            return QString::number(qint64(v.toDouble()));
        case SettingKind::Seed: {
            QString why;
            const std::optional<quint64> seed = unsignedOfJson(v, &why);
            if (!seed)
                fail(path, why);
            return QString::number(*seed);
        }
        case SettingKind::Number:
            if (!v.isDouble())
                fail(path, "expected a number");
            return QString::number(v.toDouble(), 'g', 17);
        case SettingKind::Switch:
            if (!v.isBool())
                fail(path, "expected true or false");
            return v.toBool() ? "on" : "off";
        case SettingKind::IntegerList: {
            if (!v.isArray())
                fail(path, "expected an array of integers, e.g. [784, 1000, 1000]");
            QStringList parts;
            for (const QJsonValue &e : v.toArray()) {
                if (!isWholeNumber(e))
                    fail(path, "expected an array of integers, e.g. [784, 1000, 1000]");
                parts << QString::number(qint64(e.toDouble()));
            }
            return parts.join(',');
        }
        case SettingKind::Choice:
        case SettingKind::Text:
            if (!v.isString())
                fail(path, s.choices.isEmpty() ? QStringLiteral("expected a string")
                                               : QStringLiteral("expected one of %1").arg(s.choices.join(", ")));
            return v.toString();
        }
        return {};
    }

    void readObject(const QJsonObject &object, const QString &prefix, ExperimentSpec &spec) const
    {
        const QStringList groups = settingGroups();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString path = prefix.isEmpty() ? it.key() : prefix + '.' + it.key();
            if (prefix.isEmpty() && kTopLevelInfo.contains(it.key()))
                continue;
            // "model": "cnn-small" is short for "model": {"preset": "cnn-small"}.
            const QString shorthand = path + ".preset";
            if (path == QLatin1String("model") && isCustomModelJson(it.value())) {
                spec.config.setCustomModel(customModelFromJson(it.value(), path, m_text, m_name));
            } else if (path == QLatin1String("model") && it.value().isString() && settingByPath(shorthand)) {
                const QString text = asText(path, it.value(), *settingByPath(shorthand));
                try {
                    applySetting(spec, *settingByPath(shorthand), text);
                } catch (const SpecError &e) {
                    fail(path, QString::fromUtf8(e.what()));
                }
            } else if (const Setting *s = settingByPath(path)) {
                const QString text = asText(path, it.value(), *s);
                try {
                    applySetting(spec, *s, text);
                } catch (const SpecError &e) {
                    fail(path, QString::fromUtf8(e.what()));
                }
            } else if (groups.contains(path)) {
                if (!it.value().isObject())
                    fail(path, path == QLatin1String("model")
                                   ? QStringLiteral("expected a model name (e.g. \"cnn-small\") or an object with "
                                                    "preset, layers or blocks")
                                   : QStringLiteral("expected an object"));
                readObject(it.value().toObject(), path, spec);
            } else {
                fail(path, QStringLiteral("unknown field; valid here: %1").arg(validKeys(prefix).join(", ")));
            }
        }
    }

    QStringList validKeys(const QString &prefix) const
    {
        QStringList keys = prefix.isEmpty() ? kTopLevelInfo : QStringList{};
        if (prefix == QLatin1String("model"))
            keys << "name" << "input" << "blocks"; // a model described layer by layer (custom_model_json.h)
        const QString head = prefix.isEmpty() ? QString() : prefix + '.';
        for (const auto &s : settingsTable()) {
            if (!s.path.startsWith(head))
                continue;
            QString key = s.path.mid(head.size()).section('.', 0, 0);
            if (!keys.contains(key))
                keys << key;
        }
        return keys;
    }

private:
    const QByteArray &m_text;
    QString m_name;
};

} // namespace

ExperimentSpec parseSpecText(const QByteArray &text, const QString &displayName)
{
    QJsonParseError error;
    QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError) {
        const TextPosition at = positionAt(text, error.offset);
        throw SpecError(QStringLiteral("%1:%2:%3: malformed JSON: %4").arg(displayName).arg(at.line).arg(at.column).arg(error.errorString()));
    }
    if (!doc.isObject())
        throw SpecError(QStringLiteral("%1:1:1: an experiment spec is a JSON object").arg(displayName));
    const QJsonObject root = doc.object();
    SpecReader reader(text, displayName);
    if (root.contains("format") && root.value("format").toString() != "ffint8-experiment")
        reader.fail("format", QStringLiteral("'%1' is not \"ffint8-experiment\"").arg(root.value("format").toString()));
    if (root.contains("version") && root.value("version").toInt(-1) != kSpecVersion)
        reader.fail("version", QStringLiteral("version %1; this build reads version %2")
                                   .arg(root.value("version").toVariant().toString()).arg(kSpecVersion));

    ExperimentSpec spec;
    spec.name = root.value("name").toString();
    spec.description = root.value("description").toString();
    reader.readObject(root, QString(), spec);
    settleLearningRate(spec);
    if (root.contains("telemetry")) {
        const QJsonValue t = root.value("telemetry");
        if (!t.isObject())
            reader.fail("telemetry", "expected an object with source and interval_ms");
        const QJsonObject telemetry = t.toObject();
        for (auto it = telemetry.begin(); it != telemetry.end(); ++it)
            if (it.key() != "source" && it.key() != "interval_ms")
                reader.fail("telemetry." + it.key(), "unknown field; valid here: source, interval_ms");
        if (telemetry.contains("source")) {
            const QString source = telemetry.value("source").toString();
            if (!kTelemetrySources.contains(source) && !source.startsWith("replay:"))
                reader.fail("telemetry.source", QStringLiteral("expected one of %1 or replay:LOGFILE").arg(kTelemetrySources.join(", ")));
            spec.telemetrySource = source;
        }
        if (telemetry.contains("interval_ms")) {
            const QJsonValue v = telemetry.value("interval_ms");
            if (!v.isDouble() || v.toDouble() < 1 || v.toDouble() > 60000 || v.toDouble() != double(int(v.toDouble())))
                reader.fail("telemetry.interval_ms", "expected a whole number of milliseconds from 1 to 60000");
            spec.telemetryIntervalMs = v.toInt();
        }
    }
    if (root.contains("store"))
        spec.store = storeOf(root.value("store"), [&](const QString &why) { reader.fail("store", why); });
    try {
        spec.config.validate();
    } catch (const std::exception &e) {
        throw SpecError(displayName + ": " + QString::fromUtf8(e.what()));
    }
    return spec;
}

void settleLearningRate(ExperimentSpec &spec)
{
    if (!spec.learningRateGiven)
        spec.config.lr = defaultLearningRate(spec.config.algorithm);
}

void applySetting(ExperimentSpec &spec, const Setting &setting, const QString &text)
{
    setting.apply(spec.config, text);
    if (setting.path == QLatin1String("training.lr"))
        spec.learningRateGiven = true;
    settleLearningRate(spec);
}

void applySpecValue(ExperimentSpec &spec, const QString &settingPath, const QJsonValue &value, const QByteArray &text,
                    const QString &displayName, const QString &jsonPath)
{
    SpecReader reader(text, displayName);
    const Setting *s = settingByPath(settingPath);
    if (!s) {
        QStringList valid;
        for (const Setting &setting : settingsTable())
            valid << setting.path;
        reader.fail(jsonPath, QStringLiteral("'%1' is not a setting; valid: %2").arg(settingPath, valid.join(", ")));
    }
    const QString asText = reader.asText(jsonPath, value, *s);
    try {
        applySetting(spec, *s, asText);
    } catch (const SpecError &e) {
        reader.fail(jsonPath, QString::fromUtf8(e.what()));
    }
}

ExperimentSpec parseSpecFile(const QString &path)
{
    ExperimentSpec spec = parseSpecText(readSpecFile(path, QStringLiteral("experiment spec")), path);
    spec.sourcePath = path;
    if (spec.name.isEmpty())
        spec.name = path.section('/', -1).section('.', 0, 0);
    return spec;
}

QString storeOf(const QJsonValue &value, const std::function<void(const QString &why)> &fail)
{
    if (!value.isString() || value.toString().trimmed().isEmpty())
        fail(QStringLiteral("expected a run store: a file path or postgresql://USER@HOST:PORT/DBNAME"));
    try {
        StoreAddress::parse(value.toString());
    } catch (const StoreError &e) {
        fail(QString::fromUtf8(e.what()));
    }
    return value.toString();
}

QJsonObject specToJson(const ExperimentSpec &spec)
{
    QJsonObject root{{"format", "ffint8-experiment"}, {"version", kSpecVersion}, {"name", spec.name}};
    if (!spec.description.isEmpty())
        root["description"] = spec.description;
    for (const auto &s : settingsTable()) {
        const QString text = s.get(spec.config);
        QJsonValue value;
        switch (s.kind) {
        case SettingKind::Integer: value = text.toLongLong(); break;
        case SettingKind::Seed: value = jsonOfUnsigned(text.toULongLong()); break;
        case SettingKind::Number: value = text.toDouble(); break;
        case SettingKind::Switch: value = text == "on"; break;
        case SettingKind::IntegerList: {
            QJsonArray a;
            for (const QString &p : text.split(','))
                a.append(p.toInt());
            value = a;
            break;
        }
        default: value = text;
        }
        // Nested objects are rebuilt along the path: QJsonObject has value semantics.
        const QStringList parts = s.path.split('.');
        std::function<void(QJsonObject &, int)> put = [&](QJsonObject &o, int i) {
            if (i == parts.size() - 1) {
                o[parts[i]] = value;
                return;
            }
            QJsonObject child = o.value(parts[i]).toObject();
            put(child, i + 1);
            o[parts[i]] = child;
        };
        put(root, 0);
    }
    // A described model replaces the settings' model object: its layers are objects, not widths.
    if (spec.config.customModel)
        root["model"] = customModelToJson(*spec.config.customModel);
    root["telemetry"] = QJsonObject{{"source", spec.telemetrySource}, {"interval_ms", spec.telemetryIntervalMs}};
    if (!spec.store.isEmpty())
        root["store"] = spec.store;
    return root;
}

} // namespace ffint8
