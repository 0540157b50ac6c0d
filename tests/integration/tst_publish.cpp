// The published flagd file: written atomically on every change from any process, identical to
// `export flagd`, never seen partial or invalid by a reader polling it during a burst.
#include "TestSupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace sp;
using test::runCli;

class TstPublish : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void everyChangeRepublishes_data() { test::addEngineColumn(); }
    void everyChangeRepublishes()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        const QString path = m_dir.filePath(QStringLiteral("flags-%1.json").arg(QString::fromLatin1(QTest::currentDataTag())));
        QCOMPARE(runCli(location, {"init"}).exitCode, 0);
        auto r = runCli(location, {"publish", "flagd", path});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QVERIFY(QFile::exists(path));
        QCOMPARE(runCli(location, {"flag", "create", "live", "--on", "--percent", "5"}).exitCode, 0);
        QCOMPARE(test::readFile(path), runCli(location, {"export", "flagd"}).out);
        const QJsonObject live = QJsonDocument::fromJson(test::readFile(path)).object()
                                     .value(QStringLiteral("flags")).toObject().value(QStringLiteral("live")).toObject();
        QVERIFY(live.contains(QStringLiteral("targeting")));

        QCOMPARE(runCli(location, {"flag", "set", "live", "--off"}).exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(test::readFile(path)).object().value(QStringLiteral("flags")).toObject()
                     .value(QStringLiteral("live")).toObject().value(QStringLiteral("defaultVariant")).toString(),
                 QStringLiteral("off"));

        r = runCli(location, {"publish", "status"});
        QVERIFY2(r.text().contains(path) && r.text().contains(QStringLiteral("current")), qPrintable(r.text()));

        // --export to a file writes the same bytes
        const QString exported = path + QStringLiteral(".export");
        QCOMPARE(runCli(location, {"export", "flagd", "--out", exported}).exitCode, 0);
        QCOMPARE(test::readFile(exported), test::readFile(path));

        // publish --off: later changes leave the file alone
        QCOMPARE(runCli(location, {"publish", "flagd", "--off"}).exitCode, 0);
        const QByteArray frozen = test::readFile(path);
        QCOMPARE(runCli(location, {"flag", "set", "live", "--on"}).exitCode, 0);
        QCOMPARE(test::readFile(path), frozen);
        QVERIFY(runCli(location, {"publish", "status"}).text().contains(QStringLiteral("Publishing is off")));
    }

    void readersNeverSeeAPartialFile_data() { test::addEngineColumn(); }
    void readersNeverSeeAPartialFile()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        const QString path = m_dir.filePath(QStringLiteral("burst-%1.json").arg(QString::fromLatin1(QTest::currentDataTag())));
        QCOMPARE(runCli(location, {"init"}).exitCode, 0);
        // a big enough file that a non-atomic write would be caught half-way
        for (int i = 0; i < 40; ++i)
            QCOMPARE(runCli(location, {"flag", "create", QStringLiteral("burst.f%1").arg(i), "--on", "--percent", QString::number(i)}).exitCode, 0);
        QCOMPARE(runCli(location, {"publish", "flagd", path}).exitCode, 0);

        // two writer processes change flags as fast as they can…
        QList<QProcess *> writers;
        for (int w = 0; w < 2; ++w) {
            auto *p = new QProcess(this);
            p->start(QStringLiteral("bash"),
                     {QStringLiteral("-c"),
                      QStringLiteral("set -e; for i in $(seq 1 15); do \"%1\" --workspace '%2' flag set burst.f%3 --percent $((i * 3 % 100)) >/dev/null; done")
                          .arg(test::cliPath(), location)
                          .arg(w)});
            writers << p;
        }
        // …while this process reads the published file in a loop
        int reads = 0;
        int invalid = 0;
        const auto running = [&] {
            return std::any_of(writers.begin(), writers.end(), [](QProcess *p) { return p->state() != QProcess::NotRunning; });
        };
        while (running()) {
            QFile f(path);
            if (f.open(QIODevice::ReadOnly)) {
                const QByteArray bytes = f.readAll();
                QJsonParseError err{};
                const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
                if (err.error != QJsonParseError::NoError || doc.object().value(QStringLiteral("flags")).toObject().size() != 40)
                    ++invalid;
                ++reads;
            } else {
                ++invalid; // the file must exist at every moment
            }
            QCoreApplication::processEvents();
        }
        for (QProcess *p : writers)
            QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        QVERIFY2(reads > 20, qPrintable(QString::number(reads)));
        QCOMPARE(invalid, 0);
        // and the last state wins
        QCOMPARE(test::readFile(path), runCli(location, {"export", "flagd"}).out);
        QVERIFY(QJsonDocument::fromJson(test::readFile(path)).object().value(QStringLiteral("flags")).toObject()
                    .value(QStringLiteral("burst.f0")).toObject().value(QStringLiteral("metadata")).toObject()
                    .value(QStringLiteral("percentage")).toDouble() == 45.0);
    }
};

QTEST_GUILESS_MAIN(TstPublish)
#include "tst_publish.moc"
