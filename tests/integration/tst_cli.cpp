// syncpilot-cli as scripts use it: exit codes, messages that name the bad value, --json, --help,
// and the promise that bad input changes nothing.
#include "TestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

using namespace sp;
using test::runCli;

namespace {

// Everything observable about a workspace: its flagd export and its audit log.
QByteArray fingerprint(const QString &ws)
{
    const auto a = runCli(ws, {QStringLiteral("export"), QStringLiteral("flagd")});
    const auto b = runCli(ws, {QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("list")});
    return a.out + b.out;
}

} // namespace

class TstCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString seeded(const QString &location)
    {
        const QString keys = m_dir.filePath(QStringLiteral("beta.keys"));
        test::writeFile(keys, "alice\nbob\n");
        for (const QStringList &args : QList<QStringList>{
                 {"init"},
                 {"segment", "create", "beta", "--keys-file", keys},
                 {"flag", "create", "base", "--on", "--percent", "100"},
                 {"flag", "create", "sync.sheets", "--tag", "sync", "--requires", "base", "--on", "--percent", "5"},
                 {"flag", "create", "sync.figma", "--tag", "sync", "--on", "--requires", "sync.sheets", "--include-segment", "beta"}}) {
            const auto r = runCli(location, args);
            if (r.exitCode != 0)
                qFatal("setup failed: %s", qPrintable(r.text()));
        }
        return location;
    }

private Q_SLOTS:
    void badInputChangesNothing_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString empty = m_dir.filePath(QStringLiteral("empty.keys"));
        test::writeFile(empty, "\n\n");
        const QString binary = m_dir.filePath(QStringLiteral("binary.keys"));
        test::writeFile(binary, QByteArray("alice\n\xff\xfe\x00zz\n", 11));
        const QString control = m_dir.filePath(QStringLiteral("control.keys"));
        test::writeFile(control, "alice\nbo\x01b\n");
        const QString badAttr = m_dir.filePath(QStringLiteral("attr.keys"));
        test::writeFile(badAttr, "alice\tplan:pro\n");
        for (const char *e : {"sqlite", "postgresql"}) {
            const QString engine = QString::fromLatin1(e);
            QTest::addRow("%s invalid key", e) << engine << QStringList{"flag", "create", "Bad_Key"} << 3 << "Invalid flag key \"Bad_Key\"";
            QTest::addRow("%s key too long", e) << engine << QStringList{"flag", "create", QString(65, QLatin1Char('a'))} << 3 << "Invalid flag key";
            QTest::addRow("%s unknown flag set", e) << engine << QStringList{"flag", "set", "nope", "--on"} << 3 << "Unknown flag \"nope\"";
            QTest::addRow("%s unknown flag show", e) << engine << QStringList{"flag", "show", "nope"} << 3 << "Unknown flag \"nope\"";
            QTest::addRow("%s unknown flag eval", e) << engine << QStringList{"flag", "eval", "nope", "--targeting-key", "a"} << 3 << "Unknown flag \"nope\"";
            QTest::addRow("%s percent > 100", e) << engine << QStringList{"flag", "set", "base", "--percent", "100.5"} << 3 << "\"100.5\"";
            QTest::addRow("%s percent < 0", e) << engine << QStringList{"flag", "set", "base", "--percent", "-5"} << 3 << "\"-5\"";
            QTest::addRow("%s percent 2 decimals", e) << engine << QStringList{"flag", "set", "base", "--percent", "12.25"} << 3 << "at most one decimal";
            QTest::addRow("%s percent text", e) << engine << QStringList{"flag", "create", "x", "--percent", "half"} << 3 << "\"half\"";
            QTest::addRow("%s prerequisite cycle", e) << engine << QStringList{"flag", "set", "base", "--requires", "sync.figma"} << 3 << "Prerequisite cycle: base → sync.figma → sync.sheets → base";
            QTest::addRow("%s unknown prerequisite", e) << engine << QStringList{"flag", "create", "x", "--requires", "ghost"} << 3 << "\"ghost\" does not exist";
            QTest::addRow("%s unknown segment", e) << engine << QStringList{"flag", "set", "base", "--include-segment", "ghosts"} << 3 << "segment \"ghosts\" does not exist";
            QTest::addRow("%s duplicate flag", e) << engine << QStringList{"flag", "create", "base"} << 4 << "already exists";
            QTest::addRow("%s stale version", e) << engine << QStringList{"flag", "set", "base", "--off", "--expect-version", "7"} << 4 << "you edited version 7";
            QTest::addRow("%s empty keys file", e) << engine << QStringList{"flag", "eval", "base", "--keys-file", empty} << 3 << "is empty";
            QTest::addRow("%s missing keys file", e) << engine << QStringList{"segment", "create", "gone", "--keys-file", m_dir.filePath(QStringLiteral("missing.keys"))} << 3 << "missing.keys";
            QTest::addRow("%s binary keys file", e) << engine << QStringList{"segment", "create", "bin", "--keys-file", binary} << 3 << "binary.keys:2: not valid UTF-8";
            QTest::addRow("%s control char key", e) << engine << QStringList{"segment", "create", "ctl", "--keys-file", control} << 3 << "control.keys:2";
            QTest::addRow("%s malformed attribute", e) << engine << QStringList{"flag", "eval", "base", "--keys-file", badAttr} << 3 << "attr.keys:1: attribute \"plan:pro\"";
            QTest::addRow("%s bad rule", e) << engine << QStringList{"segment", "create", "r", "--rule", "plan contains pro"} << 3 << "Invalid rule";
            QTest::addRow("%s on and off", e) << engine << QStringList{"flag", "set", "base", "--on", "--off"} << 2 << "--on and --off";
            QTest::addRow("%s unknown option", e) << engine << QStringList{"flag", "set", "base", "--colour", "red"} << 2 << "colour";
            QTest::addRow("%s unknown command", e) << engine << QStringList{"flags", "lst"} << 2 << "Unknown command";
            QTest::addRow("%s killswitch without reason", e) << engine << QStringList{"killswitch", "on"} << 2 << "--reason";
            QTest::addRow("%s bad audit time", e) << engine << QStringList{"audit", "list", "--from", "yesterday"} << 3 << "\"yesterday\"";
            QTest::addRow("%s workspace typo", e) << engine << QStringList{"--workspace", m_dir.filePath(QStringLiteral("typo.sqlite")), "flag", "list"} << 3 << "does not exist; create it with";
            QTest::addRow("%s publish into missing folder", e) << engine << QStringList{"publish", "flagd", "/nonexistent/dir/flags.json"} << 3 << "/nonexistent/dir";
        }
    }

    void badInputChangesNothing()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        SP_FRESH_WORKSPACE(location, m_dir);
        seeded(location);
        const QByteArray before = fingerprint(location);
        QVERIFY(before.contains("sync.figma"));
        const auto r = runCli(location, args);
        QVERIFY2(r.exitCode == exitCode, qPrintable(QStringLiteral("exit %1, expected %2: %3").arg(r.exitCode).arg(exitCode).arg(r.text())));
        QVERIFY2(QString::fromUtf8(r.err).contains(message), qPrintable(r.text()));
        QVERIFY2(r.out.isEmpty(), r.out.constData());
        QCOMPARE(fingerprint(location), before);

        // --json errors are machine-readable too
        const auto j = runCli(location, QStringList{QStringLiteral("--json")} + args);
        QCOMPARE(j.exitCode, exitCode);
        const QJsonObject err = QJsonDocument::fromJson(j.err).object().value(QStringLiteral("error")).toObject();
        QCOMPARE(err.value(QStringLiteral("exitCode")).toInt(), exitCode);
        QVERIFY(err.value(QStringLiteral("message")).toString().contains(message));
    }

    void badWorkspaces()
    {
        const QString notes = m_dir.filePath(QStringLiteral("notes.txt"));
        test::writeFile(notes, "not a database");
        auto r = runCli(notes, {QStringLiteral("flag"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.text().contains(notes) && r.text().contains(QStringLiteral("not an SQLite database")), qPrintable(r.text()));
        QCOMPARE(test::readFile(notes), QByteArray("not a database"));

        const QString typo = m_dir.filePath(QStringLiteral("tpyo.sqlite"));
        r = runCli(typo, {QStringLiteral("flag"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(!QFile::exists(typo), "a mistyped workspace path must not create a new workspace");

        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        const quint16 port = probe.serverPort();
        probe.close();
        r = runCli(QStringLiteral("postgresql://ops:hunter2@127.0.0.1:%1/syncpilot").arg(port), {QStringLiteral("flag"), QStringLiteral("list")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.text().contains(QStringLiteral("Cannot connect to the PostgreSQL workspace")), qPrintable(r.text()));
        QVERIFY(!r.text().contains(QStringLiteral("hunter2")));

        const QString ro = m_dir.filePath(QStringLiteral("ro.sqlite"));
        seeded(ro);
        QFile::setPermissions(ro, QFileDevice::ReadOwner | QFileDevice::ReadGroup);
        const QByteArray before = test::readFile(ro);
        r = runCli(ro, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("base"), QStringLiteral("--off")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.text().contains(QStringLiteral("read-only")), qPrintable(r.text()));
        QCOMPARE(test::readFile(ro), before);
        QCOMPARE(runCli(ro, {QStringLiteral("flag"), QStringLiteral("list")}).exitCode, 0); // reading still works
    }

    void evalSingleAndFile_data() { test::addEngineColumn(); }
    void evalSingleAndFile()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        seeded(location);
        auto r = runCli(location, {"--json", "flag", "eval", "sync.figma", "--targeting-key", "alice"});
        QCOMPARE(r.exitCode, 0);
        QJsonObject o = QJsonDocument::fromJson(r.out).object();
        // alice is in beta, but sync.figma requires sync.sheets (5 %): the reason is either the
        // prerequisite or the segment, and it must agree with sync.sheets' own answer
        const auto sheets = QJsonDocument::fromJson(runCli(location, {"--json", "flag", "eval", "sync.sheets", "--targeting-key", "alice"}).out).object();
        if (sheets.value(QStringLiteral("value")).toBool())
            QCOMPARE(o.value(QStringLiteral("reason")).toString(), QStringLiteral("SEGMENT_INCLUDED"));
        else
            QCOMPARE(o.value(QStringLiteral("reason")).toString(), QStringLiteral("PREREQUISITE_OFF"));

        const QString keys = m_dir.filePath(QStringLiteral("eval.keys"));
        QByteArray lines;
        for (int i = 0; i < 500; ++i)
            lines += "user-" + QByteArray::number(i) + "\r\n";
        test::writeFile(keys, lines);
        r = runCli(location, {"flag", "eval", "sync.sheets", "--keys-file", keys});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> out = r.out.trimmed().split('\n');
        QCOMPARE(out.size(), 500);
        int on = 0;
        for (int i = 0; i < out.size(); ++i) {
            const QList<QByteArray> parts = out[i].split('\t');
            QCOMPARE(parts.size(), 2);
            QCOMPARE(parts[0], "user-" + QByteArray::number(i));
            QVERIFY(parts[1] == "on" || parts[1] == "off");
            on += parts[1] == "on";
        }
        QVERIFY2(on > 5 && on < 60, qPrintable(QString::number(on))); // 5 % of 500 = 25

        r = runCli(location, {"killswitch", "on", "--reason", "drill"});
        QCOMPARE(r.exitCode, 0);
        r = runCli(location, {"--json", "flag", "eval", "sync.sheets", "--targeting-key", "user-1"});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("reason")).toString(), QStringLiteral("KILL_SWITCH"));
    }

    void jsonEverywhere_data() { test::addEngineColumn(); }
    void jsonEverywhere()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        seeded(location);
        const QString out = m_dir.filePath(QStringLiteral("audit-%1.jsonl").arg(QString::fromLatin1(QTest::currentDataTag())));
        const QString flagFile = m_dir.filePath(QStringLiteral("flags-%1.json").arg(QString::fromLatin1(QTest::currentDataTag())));
        for (const QStringList &args : QList<QStringList>{
                 {"init"}, {"flag", "list"}, {"flag", "show", "base"}, {"segment", "list"},
                 {"flag", "set", "base", "--percent", "50"}, {"flag", "create", "json.check"},
                 {"killswitch", "off", "--reason", "r"}, {"publish", "flagd", flagFile}, {"publish", "status"},
                 {"audit", "list", "--limit", "2"}, {"audit", "verify"},
                 {"audit", "export", "--format", "jsonl", "--out", out}, {"export", "flagd"}, {"--version"}}) {
            const auto r = runCli(location, QStringList{QStringLiteral("--json")} + args);
            QVERIFY2(r.exitCode == 0, qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + r.text()));
            QJsonParseError err{};
            QJsonDocument::fromJson(r.out, &err);
            QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + QString::fromUtf8(r.out)));
        }
        const auto status = QJsonDocument::fromJson(runCli(location, {"--json", "publish", "status"}).out).object();
        QCOMPARE(status.value(QStringLiteral("upToDate")).toBool(), true);
        const auto list = QJsonDocument::fromJson(runCli(location, {"--json", "audit", "list", "--limit", "2"}).out).array();
        QCOMPARE(list.size(), 2);
    }

    void helpOnEveryCommand()
    {
        const auto top = runCli({}, {QStringLiteral("--help")});
        QCOMPARE(top.exitCode, 0);
        const QStringList commands{"init", "flag list", "flag show", "flag create", "flag set", "flag eval", "segment create",
                                   "segment list", "killswitch on", "killswitch off", "export flagd", "publish flagd",
                                   "publish status", "audit list", "audit export", "audit verify"};
        for (const QString &c : commands) {
            QVERIFY2(top.text().contains(QStringLiteral("  ") + c), qPrintable(c));
            const auto r = runCli({}, c.split(QLatin1Char(' ')) + QStringList{QStringLiteral("--help")});
            QVERIFY2(r.exitCode == 0, qPrintable(c));
            QVERIFY2(r.text().contains(QStringLiteral("Usage: syncpilot-cli")) && r.text().contains(c), qPrintable(r.text()));
        }
        const auto v = runCli({}, {QStringLiteral("--version")});
        QCOMPARE(v.exitCode, 0);
        QVERIFY(v.text().startsWith(QStringLiteral("syncpilot-cli ")));
        QCOMPARE(runCli({}, {}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
