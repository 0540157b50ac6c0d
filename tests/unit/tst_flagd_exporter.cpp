#include "flags/FlagdExporter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace sp;

class TstFlagdExporter : public QObject
{
    Q_OBJECT

    static FlagSnapshot sample()
    {
        FlagSnapshot s;
        Flag off;
        off.key = QStringLiteral("off-flag");
        off.percentTenths = 500;
        Flag full;
        full.key = QStringLiteral("full");
        full.enabled = true;
        full.percentTenths = 1000;
        Flag part;
        part.key = QStringLiteral("part");
        part.enabled = true;
        part.percentTenths = 333;
        part.prerequisites = {QStringLiteral("full")};
        Flag dependent;
        dependent.key = QStringLiteral("dependent");
        dependent.enabled = true;
        dependent.percentTenths = 1000;
        dependent.prerequisites = {QStringLiteral("off-flag")};
        Flag sync;
        sync.key = QStringLiteral("sync-flag");
        sync.enabled = true;
        sync.percentTenths = 1000;
        sync.tags = {QStringLiteral("sync")};
        for (const Flag &f : {off, full, part, dependent, sync})
            s.flags.insert(f.key, f);
        return s;
    }

private Q_SLOTS:
    void constantFlagsHaveNoTargeting()
    {
        const QJsonObject flags = FlagdExporter::toJson(sample()).value(QStringLiteral("flags")).toObject();
        const QJsonObject off = flags.value(QStringLiteral("off-flag")).toObject();
        QCOMPARE(off.value(QStringLiteral("defaultVariant")).toString(), QStringLiteral("off"));
        QVERIFY(!off.contains(QStringLiteral("targeting")));
        QCOMPARE(flags.value(QStringLiteral("full")).toObject().value(QStringLiteral("defaultVariant")).toString(), QStringLiteral("on"));
        // a prerequisite that is off makes the dependent constantly off
        QCOMPARE(flags.value(QStringLiteral("dependent")).toObject().value(QStringLiteral("defaultVariant")).toString(),
                 QStringLiteral("off"));
        for (const auto &f : flags) {
            QCOMPARE(f.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("ENABLED"));
            QCOMPARE(f.toObject().value(QStringLiteral("variants")).toObject(),
                     (QJsonObject{{QStringLiteral("on"), true}, {QStringLiteral("off"), false}}));
        }
    }

    void partialFlagUsesFractionalWithExplicitBucketing()
    {
        const QJsonObject part = FlagdExporter::toJson(sample()).value(QStringLiteral("flags")).toObject().value(QStringLiteral("part")).toObject();
        const QByteArray text = QJsonDocument(part.value(QStringLiteral("targeting")).toObject()).toJson(QJsonDocument::Compact);
        QVERIFY2(text.contains(R"({"fractional":[{"cat":["part",{"var":"targetingKey"}]},["on",333],["off",667]]})"), text.constData());
        QVERIFY2(text.startsWith(R"({"if":[)"), text.constData());
    }

    void killSwitchTurnsSyncFlagsOffInTheFile()
    {
        FlagSnapshot s = sample();
        QCOMPARE(FlagdExporter::condition(s, QStringLiteral("sync-flag")), QJsonValue(true));
        s.killSwitch = true;
        QCOMPARE(FlagdExporter::condition(s, QStringLiteral("sync-flag")), QJsonValue(false));
        QCOMPARE(FlagdExporter::condition(s, QStringLiteral("full")), QJsonValue(true));
        QCOMPARE(FlagdExporter::toJson(s).value(QStringLiteral("metadata")).toObject().value(QStringLiteral("killSwitch")), QJsonValue(true));
    }

    // toBytes() writes by hand what toJson() builds: the two must be the same document, with
    // descriptions that need escaping too.
    void bytesAreTheJsonDocument()
    {
        FlagSnapshot s = sample();
        s.flags[QStringLiteral("part")].description = QStringLiteral("quote \" backslash \\ newline \n tab \t bell \a ümläut");
        s.flags[QStringLiteral("part")].tags = {QStringLiteral("sync"), QStringLiteral("x")};
        for (bool kill : {false, true}) {
            s.killSwitch = kill;
            QJsonParseError err{};
            const QJsonDocument doc = QJsonDocument::fromJson(FlagdExporter::toBytes(s), &err);
            QCOMPARE(err.error, QJsonParseError::NoError);
            QCOMPARE(doc.object(), FlagdExporter::toJson(s));
        }
    }

    void outputIsDeterministic()
    {
        const QByteArray a = FlagdExporter::toBytes(sample());
        FlagSnapshot reordered;
        const FlagSnapshot s = sample();
        for (auto it = s.flags.keyValueBegin(); it != s.flags.keyValueEnd(); ++it)
            reordered.flags.insert(it->first, it->second);
        QCOMPARE(FlagdExporter::toBytes(reordered), a);
        QVERIFY(!a.contains("20")); // no timestamps or dates
        QVERIFY(QJsonDocument::fromJson(a).isObject());
    }
};

QTEST_GUILESS_MAIN(TstFlagdExporter)
#include "tst_flagd_exporter.moc"
