// The Audit view on real workspaces (SQLite and PostgreSQL), driven through its widgets: paging,
// filters (and bad filter input), live entries from other processes, chain verification turning
// red on tampering, and exports (CSV equal to the core's, a multi-page PDF, refusal on a broken
// chain).

#include "AuditEntryFormatter.h"
#include "AuditTableModel.h"
#include "AuditView.h"
#include "ConsoleContext.h"
#include "TestSupport.h"

#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "workspace/Workspace.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace sp;

namespace {

// An AuditView whose save dialog is scripted.
class ScriptedAuditView : public AuditView
{
public:
    using AuditView::AuditView;
    QString path;
    QList<ExportFormat> asked;

protected:
    QString askExportPath(ExportFormat format) override
    {
        asked << format;
        return path;
    }
};

constexpr int kFlags = 10;

// kFlags flag.create entries, then updates up to `changes` entries in all, through FlagStore.
void seedFlagChanges(Workspace &ws, int changes)
{
    FlagStore store(ws);
    const ChangeContext alice{QStringLiteral("alice"), QStringLiteral("alice@example.com"), QStringLiteral("cli"), QStringLiteral("ramp"), {}};
    const ChangeContext bob{QStringLiteral("bob"), QString(), QStringLiteral("gui"), QStringLiteral("Rollback after alert"), {}};
    for (int i = 0; i < kFlags; ++i)
        store.create(FlagDraft{QStringLiteral("flag%1").arg(i), QStringLiteral("Flag %1").arg(i), {}, false, 0, {}, {}, {}}, alice);
    for (int i = kFlags; i < changes; ++i) {
        FlagPatch p;
        p.percentTenths = (i * 7) % 1001;
        p.enabled = (i % 2) == 0;
        store.update(QStringLiteral("flag%1").arg(i % kFlags), p, i % 3 == 0 ? bob : alice);
    }
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

template<typename T>
T *child(const QWidget &w, const char *name)
{
    return w.findChild<T *>(QLatin1String(name));
}

bool loaded(const AuditView &view)
{
    return !view.model()->isLoading() && view.model()->totalCount() >= 0;
}

void typeFilter(AuditView &view, const char *name, const QString &text)
{
    QLineEdit *edit = child<QLineEdit>(view, name);
    QVERIFY(edit);
    edit->setFocus();
    edit->selectAll();
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Delete);
    else
        QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

int countPageObjects(const QByteArray &pdf)
{
    int n = 0;
    for (qsizetype at = pdf.indexOf("/Type /Page"); at >= 0; at = pdf.indexOf("/Type /Page", at + 1))
        if (pdf.mid(at + 11, 1) != "s") // not /Type /Pages
            ++n;
    return n;
}

} // namespace

class TstAuditView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void pagesNewestFirst_data() { test::addEngineColumn(); }
    void pagesNewestFirst()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        // 1 200 entries in one transaction (paging is about the table, not about FlagStore)
        QList<AuditLog::Change> changes;
        for (int i = 1; i <= 1200; ++i)
            changes << AuditLog::Change{QStringLiteral("flag.update"), QStringLiteral("flag:f%1").arg(i % 7), QJsonObject{{QStringLiteral("n"), i - 1}},
                                        QJsonObject{{QStringLiteral("n"), i}}};
        ws->write([&] { AuditLog(*ws).appendMany(ChangeContext::local(QStringLiteral("test")), changes); });
        ConsoleContext ctx(*ws, location);
        AuditView view(ctx);
        view.resize(1100, 700);
        view.show();
        AuditTableModel *model = view.model();
        QTRY_VERIFY(loaded(view));
        QCOMPARE(model->totalCount(), 1200);
        QCOMPARE(model->rowCount(), AuditTableModel::pageSize); // not all at once
        QCOMPARE(model->index(0, AuditTableModel::SeqColumn).data().toString(), QStringLiteral("1200"));
        QCOMPARE(child<QLabel>(view, "auditCount")->text(), QStringLiteral("1,200 entries"));
        // scrolling to the end loads the next pages, older entries below
        QTableView *table = child<QTableView>(view, "auditTable");
        table->scrollToBottom();
        QTRY_COMPARE(model->rowCount(), 2 * AuditTableModel::pageSize);
        table->scrollToBottom();
        QTRY_COMPARE(model->rowCount(), 1200);
        QCOMPARE(model->index(1199, AuditTableModel::SeqColumn).data().toString(), QStringLiteral("1"));
        QVERIFY(!model->canFetchMore({}));
        // times are local, with UTC in the tooltip
        QVERIFY(model->index(0, AuditTableModel::TimeColumn).data(Qt::ToolTipRole).toString().endsWith(QStringLiteral(" UTC")));
    }

    // 100 000 entries: the table holds one page, the count and the chain status cover them all.
    void largeLogOpensInPages_data() { test::addEngineColumn(); }
    void largeLogOpensInPages()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        constexpr int total = 100000;
        for (int batch = 0; batch < total / 10000; ++batch) {
            QList<AuditLog::Change> changes;
            for (int i = 0; i < 10000; ++i)
                changes << AuditLog::Change{i % 100 == 0 ? QStringLiteral("killswitch.on") : QStringLiteral("flag.update"),
                                            QStringLiteral("flag:f%1").arg(i % 50), QJsonValue(), QJsonObject{{QStringLiteral("i"), i}}};
            ws->write([&] { AuditLog(*ws).appendMany(ChangeContext::local(QStringLiteral("test")), changes); });
        }
        ConsoleContext ctx(*ws, location);
        AuditView view(ctx);
        view.resize(1100, 700);
        view.show();
        QTRY_VERIFY_WITH_TIMEOUT(loaded(view), 20000);
        QCOMPARE(view.model()->totalCount(), total);
        QCOMPARE(view.model()->rowCount(), AuditTableModel::pageSize);
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(view, "auditVerifyStatus")->text().startsWith(QStringLiteral("Chain intact: 100,000 entries")), 30000);
        typeFilter(view, "auditAction", QStringLiteral("killswitch.*"));
        QTRY_VERIFY_WITH_TIMEOUT(loaded(view) && view.model()->filter().action == QLatin1String("killswitch.*"), 20000);
        QCOMPARE(view.model()->totalCount(), total / 100);
        QCOMPARE(view.model()->rowCount(), AuditTableModel::pageSize);
    }

    void filtersNarrowTheTable_data() { test::addEngineColumn(); }
    void filtersNarrowTheTable()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        seedFlagChanges(*ws, 60);
        ConsoleContext ctx(*ws, location);
        AuditView view(ctx);
        view.resize(1100, 700);
        view.show();
        AuditTableModel *model = view.model();
        QTRY_VERIFY(loaded(view));
        QCOMPARE(model->rowCount(), 60);

        typeFilter(view, "auditAction", QStringLiteral("flag.create"));
        QTRY_VERIFY(loaded(view) && model->filter().action == QLatin1String("flag.create"));
        QCOMPARE(model->rowCount(), kFlags);
        QCOMPARE(model->totalCount(), kFlags);
        QCOMPARE(child<QLabel>(view, "auditCount")->text(), QStringLiteral("10 entries"));
        for (int row = 0; row < model->rowCount(); ++row)
            QCOMPARE(model->index(row, AuditTableModel::ActionColumn).data().toString(), QStringLiteral("flag.create"));

        typeFilter(view, "auditAction", QStringLiteral("flag.*"));
        QTRY_VERIFY(loaded(view) && model->filter().action == QLatin1String("flag.*"));
        QCOMPARE(model->rowCount(), 60);

        // actor and object (prefix) combine; bob made every third update
        typeFilter(view, "auditActor", QStringLiteral("bob"));
        typeFilter(view, "auditObject", QStringLiteral("flag:flag3"));
        QTRY_VERIFY(loaded(view) && model->filter().object == QLatin1String("flag:flag3"));
        AuditFilter expected;
        expected.actor = QStringLiteral("bob");
        expected.object = QStringLiteral("flag:flag3");
        expected.action = QStringLiteral("flag.*");
        const qint64 bobsOnFlag3 = AuditLog(*ws).count(expected);
        QVERIFY(bobsOnFlag3 > 0);
        QCOMPARE(model->rowCount(), int(bobsOnFlag3));
        QCOMPARE(model->index(0, AuditTableModel::ActorColumn).data().toString(), QStringLiteral("bob"));

        // the free-text search over the reason
        typeFilter(view, "auditActor", QString());
        typeFilter(view, "auditObject", QString());
        typeFilter(view, "auditSearch", QStringLiteral("ROLLBACK"));
        QTRY_VERIFY(loaded(view) && model->filter().reasonContains == QLatin1String("ROLLBACK"));
        AuditFilter byReason;
        byReason.reasonContains = QStringLiteral("rollback after");
        QCOMPARE(model->rowCount(), int(AuditLog(*ws).count(byReason)));
        QVERIFY(model->rowCount() > 0);
        const int before = model->rowCount();

        // bad input: a message naming the field, the table unchanged
        QLabel *error = child<QLabel>(view, "auditFilterError");
        typeFilter(view, "auditObject", QStringLiteral("fl*ag"));
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().startsWith(QStringLiteral("Object:")), qPrintable(error->text()));
        QCOMPARE(model->filter().object, QString());
        QCOMPARE(model->rowCount(), before);
        typeFilter(view, "auditObject", QString());
        QTRY_VERIFY(!error->isVisible());

        QComboBox *period = child<QComboBox>(view, "auditPeriod");
        period->setCurrentIndex(period->findData(int(AuditView::Period::Custom)));
        QDateTimeEdit *from = child<QDateTimeEdit>(view, "auditFrom");
        QDateTimeEdit *to = child<QDateTimeEdit>(view, "auditTo");
        QVERIFY(from->isEnabled() && to->isEnabled());
        QTRY_VERIFY(loaded(view));
        QCOMPARE(model->rowCount(), before); // a custom range around now keeps everything
        to->setDateTime(from->dateTime().addSecs(-3600));
        QVERIFY(!view.applyFilters());
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().startsWith(QStringLiteral("To:")), qPrintable(error->text()));
        QCOMPARE(model->rowCount(), before);
        QVERIFY(model->filter().to.has_value() && *model->filter().to > *model->filter().from);

        // a period in the past matches nothing: a placeholder instead of an empty table
        from->setDateTime(QDateTime(QDate(2020, 1, 1), QTime(0, 0)));
        to->setDateTime(QDateTime(QDate(2020, 1, 2), QTime(0, 0)));
        QVERIFY(view.applyFilters());
        QTRY_VERIFY(loaded(view) && model->filter().from && model->filter().from->date().year() == 2020);
        QCOMPARE(model->rowCount(), 0);
        QLabel *empty = child<QLabel>(view, "auditEmpty");
        QTRY_VERIFY(empty->isVisible());
        QVERIFY(empty->text().contains(QStringLiteral("No audit entries match")));
        QCOMPARE(child<QLabel>(view, "auditCount")->text(), QStringLiteral("0 entries"));
    }

    void detailShowsChangedKeys_data() { test::addEngineColumn(); }
    void detailShowsChangedKeys()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        seedFlagChanges(*ws, 11); // the newest entry switches flag0 on at 7.0 %
        ConsoleContext ctx(*ws, location);
        AuditView view(ctx);
        view.show();
        QTRY_VERIFY(loaded(view));
        QTextBrowser *detail = child<QTextBrowser>(view, "auditDetail");
        QVERIFY(detail->toPlainText().contains(QStringLiteral("Select an entry")));
        QTableView *table = child<QTableView>(view, "auditTable");
        table->selectRow(0);
        QTRY_VERIFY(detail->toPlainText().contains(QStringLiteral("This hash")));
        const QString text = detail->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("Entry #11: flag.update on flag:flag0")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("ramp")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("alice, signed in as alice@example.com")), qPrintable(text));
        const AuditEntry newest = AuditLog(*ws).list().last();
        QVERIFY(text.contains(newest.hash));
        QVERIFY(text.contains(newest.prevHash));
        const QStringList changed = AuditEntryFormatter::changedKeys(newest.before, newest.after);
        QVERIFY(!changed.isEmpty());
        QVERIFY2(text.contains(changed.join(QStringLiteral(", "))), qPrintable(text)); // listed, not only coloured
        QVERIFY(detail->toHtml().contains(QStringLiteral("background-color")));        // and highlighted
        QVERIFY(!changed.contains(QStringLiteral("key"))); // the key did not change
    }

    void otherProcessEntryAppears_data() { test::addEngineColumn(); }
    void otherProcessEntryAppears()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        seedFlagChanges(*ws, 20);
        ConsoleContext ctx(*ws, location);
        AuditView view(ctx);
        view.show();
        AuditTableModel *model = view.model();
        QTRY_VERIFY(loaded(view));
        QCOMPARE(model->rowCount(), 20);
        QTableView *table = child<QTableView>(view, "auditTable");
        table->selectRow(3);
        const QString selectedSeq = table->currentIndex().siblingAtColumn(0).data().toString();
        QSignalSpy resets(model, &QAbstractItemModel::modelReset);

        const test::CliResult r = test::runCli(location, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("flag4"),
                                                          QStringLiteral("--percent"), QStringLiteral("42.5"), QStringLiteral("--reason"), QStringLiteral("from the CLI")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.text()));
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 21, 1000);
        QCOMPARE(model->index(0, AuditTableModel::ObjectColumn).data().toString(), QStringLiteral("flag:flag4"));
        QCOMPARE(model->index(0, AuditTableModel::ReasonColumn).data().toString(), QStringLiteral("from the CLI"));
        QCOMPARE(model->index(0, AuditTableModel::SourceColumn).data().toString(), QStringLiteral("cli"));
        QCOMPARE(model->totalCount(), 21);
        QCOMPARE(resets.count(), 0); // inserted at the top, nothing reloaded
        QCOMPARE(table->currentIndex().siblingAtColumn(0).data().toString(), selectedSeq); // the selection stays on its entry
        QTRY_COMPARE(child<QLabel>(view, "auditCount")->text(), QStringLiteral("21 entries"));

        // an entry that does not match the filter is not shown
        typeFilter(view, "auditObject", QStringLiteral("flag:flag4"));
        QTRY_VERIFY(loaded(view) && model->filter().object == QLatin1String("flag:flag4"));
        const int flag4 = model->rowCount();
        QVERIFY(test::runCli(location, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("flag5"), QStringLiteral("--percent"), QStringLiteral("42.5")}).exitCode == 0);
        QVERIFY(test::runCli(location, {QStringLiteral("flag"), QStringLiteral("set"), QStringLiteral("flag4"), QStringLiteral("--off")}).exitCode == 0);
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), flag4 + 1, 1000);
        QCOMPARE(model->totalCount(), flag4 + 1);
        // and the chain status follows (debounced)
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(view, "auditVerifyStatus")->text().startsWith(QStringLiteral("Chain intact: 23 entries")), 5000);
    }

    void tamperingTurnsStatusRedAndRefusesExport_data() { test::addEngineColumn(); }
    void tamperingTurnsStatusRedAndRefusesExport()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        seedFlagChanges(*ws, 12);
        ConsoleContext ctx(*ws, location);
        ScriptedAuditView view(ctx);
        view.show();
        QLabel *status = child<QLabel>(view, "auditVerifyStatus");
        QTRY_VERIFY(status->text().startsWith(QStringLiteral("Chain intact: 12 entries, head ")));
        QCOMPARE(status->property("state").toString(), QStringLiteral("intact"));
        QVERIFY(status->text().contains(AuditLog(*ws).verify().headHash.left(12)));

        tamper(location, QStringLiteral("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 7"));
        QPushButton *verify = child<QPushButton>(view, "auditVerifyNow");
        QTRY_VERIFY(verify->isEnabled());
        QSignalSpy verified(&view, &AuditView::verificationFinished);
        verify->click();
        QTRY_VERIFY(verified.count() >= 1);
        QCOMPARE(verified.last().first().toBool(), false);
        QCOMPARE(status->property("state").toString(), QStringLiteral("broken"));
        QVERIFY2(status->text().startsWith(QStringLiteral("Chain broken at entry #7: ")), qPrintable(status->text()));
        QVERIFY2(status->text().contains(QStringLiteral("hash does not match")), qPrintable(status->text()));

        // an export is refused with the core's message, and no file appears
        view.path = m_dir.filePath(QStringLiteral("refused-%1.csv").arg(QString::fromLatin1(QTest::currentDataTag())));
        QSignalSpy exported(&view, &AuditView::exportFinished);
        QSignalSpy boxes(&ctx, &ConsoleContext::writeFailed);
        child<QAction>(view, "exportCsv")->trigger();
        QTRY_COMPARE(exported.count(), 1);
        QCOMPARE(exported.first().at(0).toBool(), false);
        const QString message = exported.first().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("does not verify")) && message.contains(QStringLiteral("entry 7")), qPrintable(message));
        QCOMPARE(child<QLabel>(view, "auditExportStatus")->text(), message);
        QCOMPARE(boxes.count(), 1);
        QVERIFY(!QFile::exists(view.path));
        view.path = m_dir.filePath(QStringLiteral("refused-%1.pdf").arg(QString::fromLatin1(QTest::currentDataTag())));
        child<QAction>(view, "exportPdf")->trigger();
        QTRY_COMPARE(exported.count(), 2);
        QCOMPARE(exported.last().at(0).toBool(), false);
        QVERIFY(!QFile::exists(view.path));
    }

    void csvExportEqualsCore_data() { test::addEngineColumn(); }
    void csvExportEqualsCore()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        seedFlagChanges(*ws, 40);
        ConsoleContext ctx(*ws, location);
        ScriptedAuditView view(ctx);
        view.show();
        QTRY_VERIFY(loaded(view));
        typeFilter(view, "auditActor", QStringLiteral("alice"));
        typeFilter(view, "auditAction", QStringLiteral("flag.update"));
        QTRY_VERIFY(loaded(view) && view.model()->filter().action == QLatin1String("flag.update"));
        const int shown = view.model()->rowCount();
        QVERIFY(shown > 0 && shown < 40);

        for (const auto format : {AuditView::ExportFormat::Csv, AuditView::ExportFormat::Jsonl}) {
            const bool csv = format == AuditView::ExportFormat::Csv;
            view.path = m_dir.filePath(QStringLiteral("export-%1.%2").arg(QString::fromLatin1(QTest::currentDataTag()), csv ? QStringLiteral("csv") : QStringLiteral("jsonl")));
            QSignalSpy exported(&view, &AuditView::exportFinished);
            child<QAction>(view, csv ? "exportCsv" : "exportJsonl")->trigger();
            QTRY_COMPARE(exported.count(), 1);
            QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
            QCOMPARE(exported.first().at(1).toString(), QStringLiteral("Exported %1 entries to %2").arg(shown).arg(QDir::toNativeSeparators(view.path)));
            QCOMPARE(view.asked.last(), format);

            AuditFilter same;
            same.actor = QStringLiteral("alice");
            same.action = QStringLiteral("flag.update");
            QBuffer buf;
            buf.open(QIODevice::WriteOnly);
            const AuditLog log(*ws);
            QCOMPARE(csv ? log.exportCsv(buf, same) : log.exportJsonl(buf, same), qint64(shown));
            QCOMPARE(test::readFile(view.path), buf.data());
        }
        QCOMPARE(child<QAction>(view, "auditExportShortcut")->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
        // cancelling the dialog writes nothing
        view.path.clear();
        QSignalSpy exported(&view, &AuditView::exportFinished);
        child<QAction>(view, "exportCsv")->trigger();
        QTest::qWait(50);
        QCOMPARE(exported.count(), 0);
    }

    void pdfExportIsMultiPage_data() { test::addEngineColumn(); }
    void pdfExportIsMultiPage()
    {
        SP_FRESH_WORKSPACE(location, m_dir);
        auto ws = Workspace::open(location);
        seedFlagChanges(*ws, 300);
        ConsoleContext ctx(*ws, location);
        ScriptedAuditView view(ctx);
        view.show();
        QTRY_VERIFY(loaded(view));
        typeFilter(view, "auditAction", QStringLiteral("flag.update"));
        QTRY_VERIFY(loaded(view) && view.model()->filter().action == QLatin1String("flag.update"));
        QCOMPARE(view.model()->totalCount(), 300 - kFlags);

        view.path = m_dir.filePath(QStringLiteral("report-%1.pdf").arg(QString::fromLatin1(QTest::currentDataTag())));
        QSignalSpy exported(&view, &AuditView::exportFinished);
        child<QAction>(view, "exportPdf")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 30000);
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        QCOMPARE(exported.first().at(1).toString(), QStringLiteral("Exported 290 entries to %1").arg(QDir::toNativeSeparators(view.path)));
        const QByteArray pdf = test::readFile(view.path);
        QVERIFY(pdf.startsWith("%PDF-"));
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
        QVERIFY2(countPageObjects(pdf) > 1, qPrintable(QString::number(countPageObjects(pdf))));
        // the report holds the filtered entries (its metadata says how many)
        QVERIFY(pdf.contains("entries:290"));
    }

    void screenshotWithDemoWorkspace()
    {
        const QString location = m_dir.filePath(QStringLiteral("demo.sqlite"));
        auto ws = Workspace::open(location);
        DemoWorkspace::populate(*ws);
        seedFlagChanges(*ws, 40);
        ConsoleContext ctx(*ws, location);
        AuditView view(ctx);
        view.resize(1080, 760); // the view's share of a 1280×800 window beside the sidebar
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(loaded(view));
        QTRY_VERIFY(child<QLabel>(view, "auditVerifyStatus")->text().startsWith(QStringLiteral("Chain intact")));
        child<QTableView>(view, "auditTable")->selectRow(2);
        QTRY_VERIFY(child<QTextBrowser>(view, "auditDetail")->toPlainText().contains(QStringLiteral("This hash")));
        const QString dir = qEnvironmentVariable("SP_SHOTS_DIR");
        const QImage shot = view.grab().toImage();
        QVERIFY(!shot.isNull());
        if (!dir.isEmpty()) {
            QDir().mkpath(dir);
            QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("audit.png"))));
            // and in a dark palette
            const QPalette light = QApplication::palette();
            QPalette dark;
            dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
            dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
            dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
            dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
            dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
            dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
            dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
            dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
            dark.setColor(QPalette::HighlightedText, Qt::white);
            dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
            QApplication::setPalette(dark);
            child<QTableView>(view, "auditTable")->selectRow(3);
            const QString entry = QStringLiteral("Entry #%1:").arg(view.model()->index(3, 0).data().toString());
            QTRY_VERIFY(child<QTextBrowser>(view, "auditDetail")->toPlainText().contains(entry));
            QTest::qWait(50); // let the palette change reach every widget
            QVERIFY(view.grab().toImage().save(QDir(dir).filePath(QStringLiteral("audit-dark.png"))));
            QApplication::setPalette(light);
        }
    }
};

QTEST_MAIN(TstAuditView)
#include "tst_auditview.moc"
