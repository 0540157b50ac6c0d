#include "AtomicFile.h"

#include "Error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace sp {

namespace {

// Free functions have no class context for tr(); this gives them one.
struct AtomicFile
{
    Q_DECLARE_TR_FUNCTIONS(AtomicFile)
};

} // namespace

void writeFileAtomically(const QString &path, const QByteArray &data)
{
    const QFileInfo info(path);
    if (info.isDir())
        fail(AtomicFile::tr("Cannot write %1: it is a directory.").arg(path));
    if (!info.absoluteDir().exists())
        fail(AtomicFile::tr("Cannot write %1: the folder %2 does not exist.").arg(path, info.absolutePath()));
    QSaveFile file(info.absoluteFilePath());
    // Without this, QSaveFile falls back to writing path in place when the folder forbids a new
    // file, which is exactly the half-written state this function exists to prevent.
    file.setDirectWriteFallback(false);
    if (!file.open(QIODevice::WriteOnly))
        fail(AtomicFile::tr("Cannot write %1: %2").arg(path, file.errorString()));
    if (file.write(data) != data.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        fail(AtomicFile::tr("Cannot write %1: %2").arg(path, reason));
    }
    if (!file.commit())
        fail(AtomicFile::tr("Cannot write %1: %2").arg(path, file.errorString()));
}

QByteArray readFileOrThrow(const QString &path)
{
    QFile file(path);
    if (QFileInfo(path).isDir())
        fail(AtomicFile::tr("Cannot read %1: it is a directory.").arg(path));
    if (!file.open(QIODevice::ReadOnly))
        fail(AtomicFile::tr("Cannot read %1: %2").arg(path, file.errorString()));
    QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        fail(AtomicFile::tr("Cannot read %1: %2").arg(path, file.errorString()));
    return data;
}

} // namespace sp
