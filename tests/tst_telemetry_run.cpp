// Power measured while a run trains: a fake tegrastats first on PATH prints real-format lines; the
// run's epochs and summary carry the energy, and the child is gone when the run ends or is cancelled.
#include "app/spec/spec_error.h"
#include "app/store/run_store.h"
#include "app/telemetry/nvml_source.h"
#include "app/telemetry/power_log.h"
#include "app/telemetry/telemetry_recorder.h"
#include "support/synthetic_data.h"

#include <QtTest>

#include <csignal>

class TestTelemetryRun : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_dataDir;

    // A tegrastats that prints `lines` times (forever when 0) a line with VDD_IN at `milliwatts`,
    // every 20 ms, after writing its PID where the test can find it.
    QString writeFakeTegrastats(const QString &folder, int milliwatts, int lines = 0)
    {
        QDir().mkpath(folder);
        const QString path = QDir(folder).filePath("tegrastats");
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        const QString loop = lines > 0 ? QStringLiteral("i=0; while [ $i -lt %1 ]; do i=$((i+1));").arg(lines)
                                       : QStringLiteral("while true; do");
        f.write(QStringLiteral("#!/bin/sh\necho $$ > '%1/pid'\necho $$ >> '%1/starts'\n%2\n"
                               "  echo \"11-15-2024 08:38:09 RAM 6185/7620MB (lfb 8x2MB) CPU [15%@729,11%@729] "
                               "VDD_IN %3mW/%3mW VDD_CPU_GPU_CV 4667mW/4667mW VDD_SOC 2817mW/2817mW\"\n"
                               "  sleep 0.02\ndone\n")
                    .arg(folder, loop)
                    .arg(milliwatts)
                    .toUtf8());
        f.close();
        f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
        return path;
    }

    static bool childIsGone(const QString &folder)
    {
        QFile f(QDir(folder).filePath("pid"));
        if (!f.open(QIODevice::ReadOnly))
            return false;
        const pid_t pid = f.readAll().trimmed().toInt();
        // The child may need a moment to be reaped after the parent has gone.
        for (int i = 0; i < 50; ++i) {
            if (pid > 0 && ::kill(pid, 0) != 0)
                return true;
            QThread::msleep(20);
        }
        return false;
    }

    QProcessEnvironment environmentWith(const QString &folder)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("PATH", folder + ":" + env.value("PATH"));
        return env;
    }

    // Starts ffint8 with `args` and, first on its PATH, a fake tegrastats in `folder` (see
    // writeFakeTegrastats); false when the fake could not be written.
    bool startWithTegrastats(QProcess &p, const QString &folder, int milliwatts, const QStringList &args, int lines = 0)
    {
        if (writeFakeTegrastats(folder, milliwatts, lines).isEmpty())
            return false;
        p.setProcessEnvironment(environmentWith(folder));
        p.start(FFINT8_CLI_PATH, args);
        return true;
    }

    static QList<QJsonObject> events(const QByteArray &out)
    {
        QList<QJsonObject> list;
        for (const QByteArray &line : out.split('\n'))
            if (QJsonDocument doc = QJsonDocument::fromJson(line); doc.isObject())
                list << doc.object();
        return list;
    }

    // Layers wide enough that a run outlasts several 20 ms power samples even on a fast CPU
    // (784-64-64 trained 3000 examples in 10 ms on AVX-512, before tegrastats had printed twice).
    QStringList trainArgs(int epochs, int trainCount)
    {
        return {"train", "--dataset", m_dataDir, "--layers", "784,500,500", "--epochs", QString::number(epochs),
                "--train-limit", QString::number(trainCount), "--batch", "16", "--threads", "1", "--json",
                "--telemetry-interval", "20", "--metrics-every", "10"};
    }

private slots:
    void initTestCase()
    {
        m_dataDir = m_dir.filePath("clusters");
        QVERIFY(QDir().mkpath(m_dataDir));
        QVERIFY(ffint8::testing::writeIdxClusters(m_dataDir, 3000, 200));
    }

    // Trapezoid by hand: 0-1 s at 2 W -> 4 W is 3 J; the span [0.5, 1.5] interpolates 3 W at 0.5 s
    // and holds 4 W past the last sample: (3 + 4) / 2 * 0.5 + 4 * 0.5 = 3.75 J.
    void powerLogIntegratesSpans()
    {
        ffint8::PowerLog log;
        log.append(10.0, 2.0);
        log.append(11.0, 4.0);
        QCOMPARE(log.energyBetween(10.0, 11.0).joules, 3.0);
        QCOMPARE(log.energyBetween(10.5, 11.5).joules, 3.75);
        // Back-to-back spans add up to their union.
        const double a = log.energyBetween(9.0, 10.4).joules, b = log.energyBetween(10.4, 12.0).joules;
        QVERIFY(std::abs(a + b - log.energyBetween(9.0, 12.0).joules) < 1e-12);
        QCOMPARE(log.energyBetween(11.0, 10.0).joules, 0.0);
    }

    void epochsCarryTheEnergyOfTheirSpan()
    {
        const QString folder = m_dir.filePath("steady");
        const QString db = m_dir.filePath("steady.sqlite");
        QProcess p;
        QVERIFY(startWithTegrastats(p, folder, 7500, trainArgs(2, 3000) << "--db" << db));
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto list = events(p.readAllStandardOutput());
        QVERIFY(list.size() >= 4);
        QCOMPARE(list.first()["telemetry"].toObject()["source"].toString(), QString("tegrastats"));
        int epochs = 0;
        for (const QJsonObject &e : list) {
            if (e["event"] != "epoch" && e["event"] != "summary")
                continue;
            epochs += e["event"] == "epoch";
            QVERIFY2(e.contains("energy_j"), "energy is reported where a power source exists");
            // Every line said VDD_IN 7500 mW: the energy is 7.5 W times the span, by hand.
            const double span = e["energy_span_s"].toDouble();
            QVERIFY(span > 0);
            QVERIFY(std::abs(e["mean_power_w"].toDouble() - 7.5) < 1e-9);
            QVERIFY(std::abs(e["energy_j"].toDouble() - 7.5 * span) < 1e-6 * 7.5 * span);
        }
        QCOMPARE(epochs, 2);
        QVERIFY(childIsGone(folder));

        // The store keeps every sample with the run and the epochs' boundaries on the same clock: the
        // stored samples alone give back each epoch's reported energy.
        ffint8::RunStore store(db);
        const qint64 runId = list.first()["run_id"].toInteger();
        const std::vector<ffint8::PowerPoint> samples = store.samples(runId);
        QVERIFY(samples.size() >= 3);
        for (const ffint8::PowerPoint &sample : samples)
            QCOMPARE(sample.watts, 7.5);
        ffint8::PowerLog replayed;
        for (const ffint8::PowerPoint &sample : samples)
            replayed.append(sample.seconds, sample.watts);
        for (const QJsonObject &e : list) {
            if (e["event"] != "epoch")
                continue;
            const auto [from, to] = store.epochSpan(runId, e["epoch"].toInt());
            QVERIFY(std::abs(replayed.energyBetween(from, to).joules - e["energy_j"].toDouble()) < 1e-9);
        }
    }

    // compare's methods in turn share one power source: each epoch carries the energy of its own
    // span, each method's total is the sum of its epochs' (the other methods' turns left out), and
    // the store holds that total with the run.
    void comparisonInTurnSharesOneSource()
    {
        const QString folder = m_dir.filePath("compare");
        const QString db = m_dir.filePath("compare.sqlite");
        QProcess p;
        QVERIFY(startWithTegrastats(p, folder, 6000,
                                    {"compare", "--dataset", m_dataDir, "--layers", "784,500,500", "--epochs", "2",
                                     "--train-limit", "1500", "--batch", "16", "--threads", "1", "--json",
                                     "--telemetry-interval", "20", "--algos", "bp-fp32,ff-int8", "--interleave", "--db", db}));
        QVERIFY(p.waitForFinished(240000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto list = events(p.readAllStandardOutput());
        QMap<QString, double> epochEnergy;
        int rows = 0;
        for (const QJsonObject &e : list) {
            if (e["event"] == "epoch") {
                QVERIFY(std::abs(e["energy_j"].toDouble() - 6.0 * e["energy_span_s"].toDouble()) < 1e-6);
                epochEnergy[e["algo"].toString()] += e["energy_j"].toDouble();
            }
            if (e["event"] != "compare_row")
                continue;
            ++rows;
            const double energy = e["energy_j"].toDouble();
            QVERIFY(energy > 0);
            QVERIFY(std::abs(energy - epochEnergy[e["algo"].toString()]) < 1e-9 * energy);
            ffint8::RunStore store(db);
            const std::optional<ffint8::RunRecord> run = store.run(e["run_id"].toInteger());
            QVERIFY(run);
            QVERIFY(std::abs(run->energyJoules - energy) < 1e-9 * energy);
        }
        QCOMPARE(rows, 2);
        QFile starts(QDir(folder).filePath("starts"));
        QVERIFY(starts.open(QIODevice::ReadOnly));
        QCOMPARE(starts.readAll().trimmed().split('\n').size(), 1);
        QVERIFY(childIsGone(folder));
    }

    void cancelledRunStopsTheChild()
    {
        const QString folder = m_dir.filePath("cancel");
        QProcess p;
        QVERIFY(startWithTegrastats(p, folder, 5000, trainArgs(50, 3000)));
        QVERIFY(p.waitForStarted());
        // Wait for the first progress event, then press Ctrl-C.
        QByteArray out;
        while (!out.contains("\"progress\"") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            out += p.readAllStandardOutput();
        }
        QVERIFY(out.contains("\"progress\""));
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 4);
        out += p.readAllStandardOutput();
        QCOMPARE(events(out).last()["status"].toString(), QString("cancelled"));
        QVERIFY(childIsGone(folder));
    }

    void sourceThatExitsIsReportedOnce()
    {
        const QString folder = m_dir.filePath("short");
        QProcess p;
        QVERIFY(startWithTegrastats(p, folder, 5000, trainArgs(3, 3000), 3));
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0); // the run does not die with its telemetry
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(err.count("exited during the run"), 1);
    }

    // Without tegrastats the automatic choice falls to the INA3221 monitors, polled on the telemetry
    // thread: a fake sysfs tree at 5000 mV x 1200 mA on VDD_IN is 6 W, so a span's energy is 6 W x span.
    void ina3221ThroughTheRecorder()
    {
        const QString root = m_dir.filePath("sys");
        const QString hwmon = root + "/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3";
        QVERIFY(QDir().mkpath(hwmon));
        auto write = [&](const QString &name, const QByteArray &text) {
            QFile f(hwmon + "/" + name);
            return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
        };
        QVERIFY(write("in1_label", "VDD_IN\n") && write("in1_input", "5000\n") && write("curr1_input", "1200\n"));
        QVERIFY(write("in2_label", "VDD_SOC\n") && write("in2_input", "5000\n") && write("curr2_input", "300\n"));

        const ffint8::TelemetryChoice choice = ffint8::chooseTelemetry("auto", m_dir.filePath("no/tegrastats"), 20, root);
        QCOMPARE(choice.source, QString("ina3221"));
        ffint8::TelemetryRecorder recorder(choice);
        const double from = ffint8::monotonicSeconds();
        QThread::msleep(200);
        const double to = ffint8::monotonicSeconds();
        recorder.stop();
        QVERIFY(recorder.log().size() >= 3);
        const ffint8::EnergySummary e = recorder.log().energyBetween(from, to);
        QVERIFY(std::abs(e.meanWatts - 6.0) < 1e-9);
        QVERIFY(std::abs(e.joules - 6.0 * (to - from)) < 1e-9);

        // NVML where the driver is (a GPU machine), else a refusal that says so; never a crash.
        QString why;
        if (ffint8::NvmlSource::available(&why)) {
            QCOMPARE(ffint8::chooseTelemetry("nvml", "tegrastats", 20, root).source, QString("nvml"));
        } else {
            try {
                ffint8::chooseTelemetry("nvml", "tegrastats", 20, root);
                QFAIL("nvml was chosen without NVML");
            } catch (const ffint8::SpecError &error) {
                QVERIFY2(QString(error.what()).contains("libnvidia-ml.so.1"), error.what());
            }
        }

        // Asked for by name where it is not there: a clear refusal naming what was looked for.
        try {
            ffint8::chooseTelemetry("rapl", "tegrastats", 20, root);
            QFAIL("rapl was chosen without a RAPL counter");
        } catch (const ffint8::SpecError &error) {
            QVERIFY2(QString(error.what()).contains("intel-rapl:0"), error.what());
        }
    }

    // A recorded log replayed during a run: its one line says VDD_IN 12479 mW, so every span's energy is
    // 12.479 W times the span; a file with no tegrastats line is refused before the run starts.
    void replayOfARecordedLog()
    {
        const QString log = QStringLiteral(FFINT8_SOURCE_DIR "/tests/fixtures/tegrastats/orin-nano-load.log");
        QProcess p;
        p.start(FFINT8_CLI_PATH, trainArgs(2, 3000) << "--telemetry" << "replay:" + log << "--replay-speed" << "20");
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto list = events(p.readAllStandardOutput());
        QCOMPARE(list.first()["telemetry"].toObject()["source"].toString(), QString("replay"));
        for (const QJsonObject &e : list) {
            if (e["event"] != "epoch")
                continue;
            QVERIFY(std::abs(e["mean_power_w"].toDouble() - 12.479) < 1e-9);
            QVERIFY(std::abs(e["energy_j"].toDouble() - 12.479 * e["energy_span_s"].toDouble()) < 1e-6);
        }
        const QString notALog = m_dir.filePath("notes.txt");
        QFile f(notALog);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("these are my notes\n");
        f.close();
        p.start(FFINT8_CLI_PATH, trainArgs(1, 500) << "--telemetry" << "replay:" + notALog);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("has no tegrastats line with board power"));
    }

    void missingTegrastats()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("PATH", m_dir.filePath("empty-bin"));
        p.setProcessEnvironment(env);
        p.start(FFINT8_CLI_PATH, {"train", "--dataset", m_dataDir, "--telemetry", "tegrastats"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("is not an executable file or on PATH"));
        // Automatic choice without tegrastats: the run trains and reports no energy, never an invented one.
        p.start(FFINT8_CLI_PATH, trainArgs(1, 500));
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const auto list = events(p.readAllStandardOutput());
        QCOMPARE(list.first()["telemetry"].toObject()["source"].toString(), QString("none"));
        for (const QJsonObject &e : list)
            QVERIFY(!e.contains("energy_j"));
    }
};

QTEST_GUILESS_MAIN(TestTelemetryRun)
#include "tst_telemetry_run.moc"
