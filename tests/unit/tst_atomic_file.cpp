#include "common/AtomicFile.h"
#include "common/Error.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace sp;

namespace {

QByteArray contentOf(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return "<unreadable>";
    return f.readAll();
}

QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

// Makes a folder refuse new files, also for root (which ignores permission bits): chmod for
// ordinary users, the immutable attribute for root. Undone by the destructor.
class ReadOnlyFolder
{
public:
    explicit ReadOnlyFolder(const QString &dir) : m_dir(dir)
    {
        if (::geteuid() != 0) {
            m_ok = QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner);
            m_how = Chmod;
        } else {
            m_ok = QProcess::execute(QStringLiteral("chattr"), {QStringLiteral("+i"), dir}) == 0;
            m_how = Chattr;
        }
    }
    ~ReadOnlyFolder()
    {
        if (m_how == Chmod)
            QFile::setPermissions(m_dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        else if (m_ok)
            QProcess::execute(QStringLiteral("chattr"), {QStringLiteral("-i"), m_dir});
    }
    bool ok() const { return m_ok; }

private:
    enum How { Chmod, Chattr };
    QString m_dir;
    How m_how = Chmod;
    bool m_ok = false;
};

} // namespace

class TstAtomicFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesAndReplaces()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("tokens.json"));
        writeFileAtomically(path, "first\n");
        QCOMPARE(contentOf(path), QByteArray("first\n"));
        QCOMPARE(readFileOrThrow(path), QByteArray("first\n"));

        const QByteArray big(3 * 1024 * 1024, 'x');
        writeFileAtomically(path, big);
        QCOMPARE(contentOf(path), big);
        writeFileAtomically(path, "short");
        QCOMPARE(contentOf(path), QByteArray("short")); // truncated, not overwritten in place
        writeFileAtomically(path, QByteArray());
        QCOMPARE(contentOf(path), QByteArray());
        // No temporary file is left behind.
        QCOMPARE(entries(dir.path()), QStringList{QStringLiteral("tokens.json")});
    }

    void keepsPermissionsOfTheReplacedFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.json"));
        writeFileAtomically(path, "a");
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
        writeFileAtomically(path, "b");
        QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther),
                 QFileDevice::Permissions(QFile::ReadGroup));
    }

    void failureLeavesTheOldFileIntact()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(folder));
        const QString path = folder + QStringLiteral("/brand.tokens.json");
        writeFileAtomically(path, "old content\n");
        {
            ReadOnlyFolder readOnly(folder);
            if (!readOnly.ok())
                QSKIP("cannot make a folder read-only here (neither chmod as a user nor chattr as root)");
            try {
                writeFileAtomically(path, "new content that must not appear\n");
                QFAIL("writing into a read-only folder did not throw");
            } catch (const Error &e) {
                QCOMPARE(e.kind(), ErrorKind::Failure);
                QVERIFY2(e.message().contains(path), qPrintable(e.message()));
                QVERIFY2(e.message().startsWith(QStringLiteral("Cannot write ")), qPrintable(e.message()));
            }
        }
        QCOMPARE(contentOf(path), QByteArray("old content\n"));
        QCOMPARE(entries(folder), QStringList{QStringLiteral("brand.tokens.json")});
    }

    void missingFolderAndDirectoryTarget()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("nope/t.json"));
        try {
            writeFileAtomically(missing, "x");
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(missing) && e.message().contains(QStringLiteral("does not exist")), qPrintable(e.message()));
        }
        QVERIFY(!QFile::exists(missing));
        try {
            writeFileAtomically(dir.path(), "x");
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(dir.path()) && e.message().contains(QStringLiteral("directory")), qPrintable(e.message()));
        }
    }

    void readFailuresNameThePath()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("absent.json"));
        try {
            readFileOrThrow(missing);
            QFAIL("no error");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::Failure);
            QVERIFY2(e.message().startsWith(QStringLiteral("Cannot read %1: ").arg(missing)), qPrintable(e.message()));
        }
        try {
            readFileOrThrow(dir.path());
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY2(e.message().contains(dir.path()), qPrintable(e.message()));
        }
    }
};

QTEST_GUILESS_MAIN(TstAtomicFile)
#include "tst_atomic_file.moc"
