#include "TestSupport.h"
#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QTimeZone>

using namespace sp;

namespace {

// Five changes by two actors: entries 1..5.
void populate(Workspace &ws)
{
    FlagStore store(ws);
    ChangeContext alice{QStringLiteral("alice"), QString(), QStringLiteral("cli"), QStringLiteral("ramp, \"carefully\"\nsecond line"), {}};
    ChangeContext bob{QStringLiteral("bob"), QStringLiteral("bob@example.com"), QStringLiteral("gui"), QString(), {}};
    store.create(FlagDraft{QStringLiteral("one"), {}, {}, false, 0, {}, {}, {}}, alice);
    store.create(FlagDraft{QStringLiteral("two"), {}, {}, false, 0, {}, {}, {}}, bob);
    FlagPatch on;
    on.enabled = true;
    store.update(QStringLiteral("one"), on, alice);
    store.update(QStringLiteral("two"), on, bob);
    store.setKillSwitch(true, bob);
}

// Runs sql on the workspace's database behind SyncPilot's back, as someone with database access.
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

// A minimal RFC 4180 reader to check the export really parses.
QList<QStringList> parseCsv(const QByteArray &bytes)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    const QString s = QString::fromUtf8(bytes);
    for (int i = 0; i < s.size(); ++i) {
        const QChar c = s[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < s.size() && s[i + 1] == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row << field;
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < s.size() && s[i + 1] == QLatin1Char('\n')) {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    return rows;
}

} // namespace

class TstAudit : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void intactChainVerifies_data() { test::addEngineColumn(); }
    void intactChainVerifies()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        populate(*ws);
        const AuditVerification v = AuditLog(*ws).verify();
        QVERIFY2(v.ok, qPrintable(v.problem));
        QCOMPARE(v.entries, 5);
        const QList<AuditEntry> entries = AuditLog(*ws).list();
        QCOMPARE(v.headHash, entries.last().hash);
        for (int i = 1; i < entries.size(); ++i)
            QCOMPARE(entries[i].prevHash, entries[i - 1].hash);
    }

    void tamperingIsDetected_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QString>("sql");
        QTest::addColumn<qint64>("firstBad");
        for (const char *engine : {"sqlite", "postgresql"}) {
            QTest::addRow("%s: edit a reason", engine) << engine << "UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3" << qint64(3);
            QTest::addRow("%s: edit the after state", engine) << engine << "UPDATE audit_log SET after_json = '{}' WHERE seq = 2" << qint64(2);
            QTest::addRow("%s: rewrite the actor", engine) << engine << "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1" << qint64(1);
            QTest::addRow("%s: delete a middle entry", engine) << engine << "DELETE FROM audit_log WHERE seq = 3" << qint64(3);
            QTest::addRow("%s: delete the newest entry", engine) << engine << "DELETE FROM audit_log WHERE seq = 5" << qint64(5);
            QTest::addRow("%s: delete everything", engine) << engine << "DELETE FROM audit_log" << qint64(1);
            QTest::addRow("%s: edit the time", engine) << engine << "UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 4" << qint64(4);
        }
    }
    void tamperingIsDetected()
    {
        QFETCH(QString, sql);
        QFETCH(qint64, firstBad);
        SP_FRESH_WORKSPACE(location, m_dir);
        {
            auto ws = Workspace::open(location);
            populate(*ws);
            QVERIFY(AuditLog(*ws).verify().ok);
        }
        tamper(location, sql);
        auto ws = Workspace::open(location);
        const AuditVerification v = AuditLog(*ws).verify();
        QVERIFY(!v.ok);
        QCOMPARE(v.firstBadSeq, firstBad);
        QVERIFY(!v.problem.isEmpty());
        // the CLI says so too, naming the entry, with a non-zero exit
        const test::CliResult r = test::runCli(location, {QStringLiteral("audit"), QStringLiteral("verify")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.text().contains(QStringLiteral("entry %1").arg(firstBad)), qPrintable(r.text()));
        // and exports refuse to stamp a broken chain
        QBuffer buf;
        buf.open(QIODevice::WriteOnly);
        QVERIFY_THROWS_EXCEPTION(Error, AuditLog(*ws).exportCsv(buf, {}));
    }

    void csvExportIsRfc4180WithFilters_data() { test::addEngineColumn(); }
    void csvExportIsRfc4180WithFilters()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        populate(*ws);
        QBuffer buf;
        buf.open(QIODevice::WriteOnly);
        AuditFilter f;
        f.actor = QStringLiteral("alice");
        QCOMPARE(AuditLog(*ws).exportCsv(buf, f), 2);
        const QList<QStringList> rows = parseCsv(buf.data());
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows[0].first(), QStringLiteral("seq"));
        QCOMPARE(rows[0].last(), QStringLiteral("verified_head"));
        for (const QStringList &row : rows)
            QCOMPARE(row.size(), rows[0].size());
        QCOMPARE(rows[1][7], QStringLiteral("ramp, \"carefully\"\nsecond line")); // quotes, comma and newline survive
        QCOMPARE(rows[1].last(), AuditLog(*ws).verify().headHash);
        QCOMPARE(rows[2][5], QStringLiteral("flag.update"));
    }

    void jsonlExportAndFilters_data() { test::addEngineColumn(); }
    void jsonlExportAndFilters()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        populate(*ws);
        const auto count = [&](const AuditFilter &f) {
            QBuffer buf;
            buf.open(QIODevice::WriteOnly);
            const qint64 n = AuditLog(*ws).exportJsonl(buf, f);
            const QList<QByteArray> lines = buf.data().trimmed().split('\n');
            const QJsonObject header = QJsonDocument::fromJson(lines.first()).object();
            if (header.value(QStringLiteral("chainHead")).toString() != AuditLog(*ws).verify().headHash)
                return qint64(-1);
            for (const QByteArray &l : lines.mid(1))
                if (!QJsonDocument::fromJson(l).isObject())
                    return qint64(-2);
            return lines.size() - 1 == n ? n : qint64(-3);
        };
        QCOMPARE(count({}), 5);
        AuditFilter byObject;
        byObject.object = QStringLiteral("flag:two");
        QCOMPARE(count(byObject), 2);
        AuditFilter byPrefix;
        byPrefix.object = QStringLiteral("flag:*");
        QCOMPARE(count(byPrefix), 4);
        AuditFilter byAction;
        byAction.action = QStringLiteral("killswitch.*");
        QCOMPARE(count(byAction), 1);
        AuditFilter future;
        future.from = Clock::current().now().addSecs(3600);
        QCOMPARE(count(future), 0);
        AuditFilter past;
        past.to = Clock::current().now().addSecs(-3600);
        QCOMPARE(count(past), 0);
        AuditFilter window;
        window.from = Clock::current().now().addSecs(-3600);
        window.to = Clock::current().now().addSecs(3600);
        QCOMPARE(count(window), 5);
    }

    // The paging the GUI's audit table uses: newest first in pages below a seq, entries above
    // the newest shown, counts, and a case-insensitive search over the reason.
    void pagingCountAndReasonSearch_data() { test::addEngineColumn(); }
    void pagingCountAndReasonSearch()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        populate(*ws);
        const AuditLog log(*ws);
        const auto seqs = [&](const AuditFilter &f) {
            QList<qint64> out;
            for (const AuditEntry &e : log.list(f))
                out << e.seq;
            return out;
        };
        AuditFilter page;
        page.newestFirst = true;
        page.limit = 2;
        QCOMPARE(seqs(page), (QList<qint64>{5, 4}));
        page.beforeSeq = 4;
        QCOMPARE(seqs(page), (QList<qint64>{3, 2}));
        page.beforeSeq = 2;
        QCOMPARE(seqs(page), (QList<qint64>{1}));
        AuditFilter above;
        above.afterSeq = 3;
        QCOMPARE(seqs(above), (QList<qint64>{4, 5}));
        QCOMPARE(log.count(above), 2);
        QCOMPARE(log.count({}), 5);
        AuditFilter bobs;
        bobs.actor = QStringLiteral("bob");
        QCOMPARE(log.count(bobs), 3);
        AuditFilter search;
        search.reasonContains = QStringLiteral("CAREFULLY");
        QCOMPARE(seqs(search), (QList<qint64>{1, 3}));
        search.reasonContains = QStringLiteral("100%_\\");
        QCOMPARE(log.count(search), 0); // LIKE wildcards from the user match literally
        search.reasonContains = QStringLiteral("%");
        QCOMPARE(log.count(search), 0);
        // an export honours the search too
        QBuffer buf;
        buf.open(QIODevice::WriteOnly);
        search.reasonContains = QStringLiteral("second line");
        QCOMPARE(log.exportCsv(buf, search), 2);
    }

    void fakeClockStampsEntries()
    {
        ManualClock clock(QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 678), QTimeZone::utc()));
        Clock::install(&clock);
        auto ws = Workspace::open(m_dir.filePath(QStringLiteral("clock.sqlite")));
        FlagStore(*ws).create(FlagDraft{QStringLiteral("timed"), {}, {}, false, 0, {}, {}, {}}, ChangeContext::local(QStringLiteral("test")));
        Clock::install(nullptr);
        QCOMPARE(toStoredTime(AuditLog(*ws).list().first().at), QStringLiteral("2026-01-02T03:04:05.678Z"));
    }
};

QTEST_GUILESS_MAIN(TstAudit)
#include "tst_audit.moc"
