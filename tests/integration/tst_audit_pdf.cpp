// The PDF audit report (reports/AuditReport) and `audit export --format pdf`, on real workspaces.
#include "AuditReport.h"
#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QTimeZone>

using namespace sp;

namespace {

const QDateTime kStart(QDate(2026, 3, 2), QTime(8, 0), QTimeZone::utc());

// 300 audit entries over about three days: 30 flags created, then each toggled nine times, by
// alice (cli) and bob (gui, signed in); the fake clock moves 15 minutes per change.
void populate(Workspace &ws)
{
    ManualClock clock(kStart);
    Clock::install(&clock);
    FlagStore store(ws);
    const ChangeContext alice{QStringLiteral("alice"), QString(), QStringLiteral("cli"), QStringLiteral("ramp"), {}};
    const ChangeContext bob{QStringLiteral("bob"), QStringLiteral("bob@example.com"), QStringLiteral("gui"),
                            QStringLiteral("a rather long reason that must be elided in the table because it does not fit its column"), {}};
    for (int i = 0; i < 30; ++i) {
        store.create(FlagDraft{QStringLiteral("f%1").arg(i, 2, 10, QLatin1Char('0')), {}, {}, false, 0, {}, {}, {}},
                     i % 2 ? bob : alice);
        clock.advance(15 * 60 * 1000);
    }
    for (int round = 0; round < 9; ++round) {
        for (int i = 0; i < 30; ++i) {
            FlagPatch patch;
            patch.enabled = round % 2 == 0;
            store.update(QStringLiteral("f%1").arg(i, 2, 10, QLatin1Char('0')), patch, (i + round) % 3 ? alice : bob);
            clock.advance(15 * 60 * 1000);
        }
    }
    Clock::install(nullptr);
}

void tamper(const QString &location, const QString &sql)
{
    const QString name = test::rawConnection(location);
    {
        QSqlDatabase db = QSqlDatabase::database(name);
        QSqlQuery q(db);
        QVERIFY2(q.exec(sql), qPrintable(sql));
    }
    QSqlDatabase::removeDatabase(name);
}

// Page objects ("/Type /Page"), not the page tree nodes ("/Type /Pages").
int pageCount(const QByteArray &pdf)
{
    static const QRegularExpression page(QStringLiteral("/Type\\s*/Page(?![a-zA-Z])"));
    return int(QString::fromLatin1(pdf).count(page));
}

void checkIsPdf(const QByteArray &pdf)
{
    QVERIFY2(pdf.startsWith("%PDF-"), pdf.left(16).constData());
    QVERIFY2(pdf.trimmed().endsWith("%%EOF"), pdf.right(16).constData());
}

ChangeContext reporter()
{
    return ChangeContext{QStringLiteral("carol"), QStringLiteral("carol@example.com"), QStringLiteral("cli"), {}, {}};
}

} // namespace

class TstAuditPdf : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void reportOfManyEntries_data() { test::addEngineColumn(); }
    void reportOfManyEntries()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        populate(*ws);
        const AuditVerification v = AuditLog(*ws).verify();
        QVERIFY(v.ok);
        QVERIFY(v.entries >= 300);

        const QString path = m_dir.filePath(QStringLiteral("all-%1.pdf").arg(QTest::currentDataTag()));
        const qint64 n = AuditReport::writePdf(*ws, {}, path, reporter());
        QCOMPARE(n, v.entries);
        const QByteArray pdf = test::readFile(path);
        checkIsPdf(pdf);
        // summary page + a table several pages long
        QVERIFY2(pageCount(pdf) >= 4, qPrintable(QString::number(pageCount(pdf))));
        QVERIFY2(pdf.size() > 5 * 1024 && pdf.size() < 3 * 1024 * 1024, qPrintable(QString::number(pdf.size())));
        // the stamp is readable without decompressing page content: the XMP metadata names the head
        QVERIFY2(pdf.contains("syncpilot-audit-chain-head:" + v.headHash.toLatin1()), "chain head stamp missing");
        QVERIFY(pdf.contains("entries:" + QByteArray::number(n)));
        // nothing left behind next to the report (the atomic write's temporary file is gone)
        const QStringList siblings = QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden);
        QCOMPARE(siblings.filter(QStringLiteral("all-%1.pdf").arg(QTest::currentDataTag())).size(), 1);
    }

    void filtersReduceTheReport_data() { test::addEngineColumn(); }
    void filtersReduceTheReport()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        populate(*ws);
        const AuditLog log(*ws);
        const qint64 total = log.verify().entries;
        const QByteArray all = AuditReport::renderPdf(*ws, {}, reporter());

        AuditFilter byActor;
        byActor.actor = QStringLiteral("bob");
        AuditFilter byAction;
        byAction.action = QStringLiteral("flag.create");
        AuditFilter byObject;
        byObject.object = QStringLiteral("flag:f0*");
        AuditFilter byTime;
        byTime.from = kStart.addDays(1);
        byTime.to = kStart.addDays(2);
        AuditFilter combined;
        combined.actor = QStringLiteral("alice");
        combined.action = QStringLiteral("flag.update");
        combined.from = kStart.addDays(1);

        for (const AuditFilter &f : {byActor, byAction, byObject, byTime, combined}) {
            qint64 n = -1;
            const QByteArray pdf = AuditReport::renderPdf(*ws, f, reporter(), &n);
            checkIsPdf(pdf);
            QCOMPARE(n, qint64(log.list(f).size()));
            QVERIFY2(n > 0 && n < total, qPrintable(QString::number(n)));
            QVERIFY(pageCount(pdf) >= 2);
            QVERIFY(pageCount(pdf) < pageCount(all));
        }

        // the time filter really is a time window: entries at 15-minute steps, one day of them
        qint64 day = 0;
        AuditReport::renderPdf(*ws, byTime, reporter(), &day);
        QCOMPARE(day, qint64(24 * 4));

        // nothing matches: still a complete report (summary + an empty table page)
        AuditFilter nobody;
        nobody.actor = QStringLiteral("nobody");
        qint64 none = -1;
        const QByteArray empty = AuditReport::renderPdf(*ws, nobody, reporter(), &none);
        QCOMPARE(none, 0);
        checkIsPdf(empty);
        QCOMPARE(pageCount(empty), 2);
    }

    void tamperedChainIsRefused_data() { test::addEngineColumn(); }
    void tamperedChainIsRefused()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        {
            auto ws = Workspace::open(location);
            populate(*ws);
        }
        tamper(location, QStringLiteral("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 42"));
        auto ws = Workspace::open(location);

        const QString fresh = m_dir.filePath(QStringLiteral("tampered-%1.pdf").arg(QTest::currentDataTag()));
        try {
            AuditReport::writePdf(*ws, {}, fresh, reporter());
            QFAIL("a report was written from a broken chain");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(QLatin1String("does not verify")), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QLatin1String("42")), qPrintable(e.message()));
        }
        QVERIFY(!QFile::exists(fresh));

        // an earlier report at the same path is left exactly as it was
        const QString existing = m_dir.filePath(QStringLiteral("earlier-%1.pdf").arg(QTest::currentDataTag()));
        test::writeFile(existing, "earlier report");
        QVERIFY_THROWS_EXCEPTION(Error, AuditReport::writePdf(*ws, {}, existing, reporter()));
        QCOMPARE(test::readFile(existing), QByteArray("earlier report"));
    }

    void cliExportsPdfHeadless()
    {
        const QString location = m_dir.filePath(QStringLiteral("cli.sqlite"));
        {
            auto ws = Workspace::open(location);
            populate(*ws);
        }
        // the CLI must choose the offscreen platform itself: no display, no QT_QPA_PLATFORM
        const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
        const QByteArray display = qgetenv("DISPLAY");
        const QByteArray wayland = qgetenv("WAYLAND_DISPLAY");
        qunsetenv("QT_QPA_PLATFORM");
        qunsetenv("DISPLAY");
        qunsetenv("WAYLAND_DISPLAY");
        const QString out = m_dir.filePath(QStringLiteral("cli.pdf"));
        const test::CliResult all = test::runCli(location, {QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                                                            QStringLiteral("pdf"), QStringLiteral("--out"), out});
        const QString filtered = m_dir.filePath(QStringLiteral("cli-bob.pdf"));
        const test::CliResult bob = test::runCli(location, {QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format=pdf"),
                                                            QStringLiteral("--actor"), QStringLiteral("bob"), QStringLiteral("--out"), filtered,
                                                            QStringLiteral("--json")});
        qputenv("QT_QPA_PLATFORM", platform);
        if (!display.isEmpty())
            qputenv("DISPLAY", display);
        if (!wayland.isEmpty())
            qputenv("WAYLAND_DISPLAY", wayland);

        QVERIFY2(all.exitCode == 0, qPrintable(all.text()));
        auto ws = Workspace::open(location);
        const qint64 total = AuditLog(*ws).verify().entries;
        QVERIFY2(all.text().contains(QString::number(total)), qPrintable(all.text()));
        const QByteArray pdf = test::readFile(out);
        checkIsPdf(pdf);
        QVERIFY(pageCount(pdf) >= 4);

        QVERIFY2(bob.exitCode == 0, qPrintable(bob.text()));
        AuditFilter f;
        f.actor = QStringLiteral("bob");
        QVERIFY2(bob.text().contains(QStringLiteral("\"entries\": %1").arg(AuditLog(*ws).list(f).size())), qPrintable(bob.text()));
        checkIsPdf(test::readFile(filtered));
        QVERIFY(pageCount(test::readFile(filtered)) < pageCount(pdf));
    }

    void cliRefusesBadFormatAndBrokenChain()
    {
        const QString location = m_dir.filePath(QStringLiteral("cli-bad.sqlite"));
        {
            auto ws = Workspace::open(location);
            populate(*ws);
        }
        const QString out = m_dir.filePath(QStringLiteral("cli-bad.pdf"));
        const test::CliResult wrong = test::runCli(location, {QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                                                              QStringLiteral("xml"), QStringLiteral("--out"), out});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.text().contains(QLatin1String("csv, jsonl or pdf")), qPrintable(wrong.text()));

        tamper(location, QStringLiteral("DELETE FROM audit_log WHERE seq = 7"));
        const test::CliResult broken = test::runCli(location, {QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--format"),
                                                               QStringLiteral("pdf"), QStringLiteral("--out"), out});
        QVERIFY2(broken.exitCode != 0, qPrintable(broken.text()));
        QVERIFY2(broken.text().contains(QLatin1String("does not verify")), qPrintable(broken.text()));
        QVERIFY(!QFile::exists(out));
    }
};

int main(int argc, char **argv)
{
    // headless: the report paints text through QtGui, which needs a platform plugin but no screen
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    TstAuditPdf test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_audit_pdf.moc"
