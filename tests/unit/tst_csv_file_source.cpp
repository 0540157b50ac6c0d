#include "sync/CsvFileSource.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "TestSupport.h"

#include <cstdio>

using namespace sp;

namespace {

// Long enough for the debounce and inotify on a loaded machine; only a missing signal waits this long.
constexpr int kWaitMs = 5000;

// How editors save: write a sibling file, rename it over the original (a new inode).
void replaceByRename(const QString &path, const QByteArray &data)
{
    const QString temp = path + QStringLiteral(".tmp");
    test::writeFile(temp, data);
    QVERIFY(std::rename(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()) == 0);
}

} // namespace

class TstCsvFileSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tokens.tsv"));
        test::writeFile(path, "Name\tLight\nspace/4\t4px\n");
        CsvFileSource source(path);
        const Table t = source.read();
        QCOMPARE(t.name, QStringLiteral("tokens"));
        QCOMPARE(t.cell(1, 1), QStringLiteral("4px"));

        test::writeFile(path, "Name;Light\nspace/4;8px\n");
        CsvFileSource semicolons(path, QLatin1Char(';'));
        QCOMPARE(semicolons.read().cell(1, 1), QStringLiteral("8px"));
    }

    void signalsWritesInPlace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tokens.csv"));
        test::writeFile(path, "Name,Light\na,1\n");
        CsvFileSource source(path);
        QSignalSpy spy(&source, &CsvFileSource::changed);

        // A burst of writes (an editor saving in pieces) is one change.
        for (int i = 2; i < 7; ++i)
            test::writeFile(path, "Name,Light\na," + QByteArray::number(i) + '\n');
        QVERIFY(spy.wait(kWaitMs));
        QTest::qWait(3 * CsvFileSource::debounceMs);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(source.read().cell(1, 1), QStringLiteral("6"));
    }

    void followsReplacementByRename()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tokens.csv"));
        test::writeFile(path, "Name,Light\na,1\n");
        CsvFileSource source(path);
        QSignalSpy spy(&source, &CsvFileSource::changed);

        replaceByRename(path, "Name,Light\na,2\n");
        QVERIFY(spy.wait(kWaitMs));
        QCOMPARE(source.read().cell(1, 1), QStringLiteral("2"));

        // The watch now follows the new file: a later write in place is seen too.
        QTest::qWait(2 * CsvFileSource::debounceMs);
        spy.clear();
        test::writeFile(path, "Name,Light\na,3\n");
        QVERIFY(spy.wait(kWaitMs));
        QCOMPARE(source.read().cell(1, 1), QStringLiteral("3"));

        // Removed and created again.
        spy.clear();
        QVERIFY(QFile::remove(path));
        QVERIFY(spy.wait(kWaitMs));
        spy.clear();
        test::writeFile(path, "Name,Light\na,4\n");
        QVERIFY(spy.wait(kWaitMs));
        QCOMPARE(source.read().cell(1, 1), QStringLiteral("4"));
    }

    void ignoresOtherFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tokens.csv"));
        test::writeFile(path, "Name,Light\na,1\n");
        CsvFileSource source(path);
        QSignalSpy spy(&source, &CsvFileSource::changed);
        test::writeFile(dir.filePath(QStringLiteral("other.csv")), "x\n");
        QVERIFY(QFile::remove(dir.filePath(QStringLiteral("other.csv"))));
        QTest::qWait(4 * CsvFileSource::debounceMs);
        QCOMPARE(spy.count(), 0);
        // The source still works afterwards.
        test::writeFile(path, "Name,Light\na,2\n");
        QVERIFY(spy.wait(kWaitMs));
    }
};

QTEST_GUILESS_MAIN(TstCsvFileSource)
#include "tst_csv_file_source.moc"
