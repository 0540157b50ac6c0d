#include "FlagdPublisher.h"

#include "FlagStore.h"
#include "FlagdExporter.h"
#include "common/Error.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QSaveFile>

namespace sp {

namespace {
const QString kPathKey = QStringLiteral("publish_flagd_path");
}

QString FlagdPublisher::path() const { return m_ws.meta(kPathKey); }

QByteArray FlagdPublisher::currentExport() const { return FlagdExporter::toBytes(FlagStore(m_ws).snapshot()); }

void FlagdPublisher::writeTo(const QString &target) const
{
    const QFileInfo info(target);
    if (info.isDir())
        invalid(tr("%1 is a directory; give the path of the flag file to write.").arg(target));
    if (!info.absoluteDir().exists())
        invalid(tr("Cannot write %1: the folder %2 does not exist.").arg(target, info.absolutePath()));
    // The lock orders concurrent publishers; the snapshot is read after taking it, so whoever
    // writes last writes the newest committed state.
    QLockFile lock(info.absoluteFilePath() + QStringLiteral(".lock"));
    lock.setStaleLockTime(30000);
    if (!lock.tryLock(20000))
        fail(tr("Cannot write %1: another process holds %1.lock.").arg(target));
    const QByteArray bytes = currentExport();
    QSaveFile file(info.absoluteFilePath());
    if (!file.open(QIODevice::WriteOnly))
        fail(tr("Cannot write %1: %2").arg(target, file.errorString()));
    file.write(bytes);
    if (!file.commit())
        fail(tr("Cannot write %1: %2").arg(target, file.errorString()));
}

void FlagdPublisher::publishIfConfigured() const
{
    // Inside a caller's transaction nothing is committed yet: whoever opened the transaction
    // republishes after its commit.
    if (m_ws.inTransaction())
        return;
    const QString target = path();
    if (target.isEmpty())
        return;
    try {
        writeTo(target);
    } catch (const Error &e) {
        throw Error(ErrorKind::Failure,
                    tr("The change was saved, but the published flag file was not updated: %1").arg(e.message()));
    }
}

void FlagdPublisher::configure(const QString &target, const ChangeContext &ctx)
{
    QString absolute;
    if (!target.isEmpty()) {
        absolute = QFileInfo(target).absoluteFilePath();
        writeTo(absolute); // proves the path is writable before it is stored
    }
    m_ws.write([&] {
        const QString before = m_ws.meta(kPathKey);
        if (before == absolute)
            return;
        m_ws.setMeta(kPathKey, absolute);
        AuditLog(m_ws).append(ctx, absolute.isEmpty() ? QStringLiteral("publish.off") : QStringLiteral("publish.on"),
                              QStringLiteral("publish:flagd"),
                              before.isEmpty() ? QJsonValue() : QJsonValue(QJsonObject{{QStringLiteral("path"), before}}),
                              absolute.isEmpty() ? QJsonValue() : QJsonValue(QJsonObject{{QStringLiteral("path"), absolute}}));
    });
}

FlagdPublisher::Status FlagdPublisher::status() const
{
    Status s;
    s.path = path();
    const FlagSnapshot snap = FlagStore(m_ws).snapshot();
    s.flags = snap.flags.size();
    s.revision = snap.revision;
    if (s.path.isEmpty())
        return s;
    QFile file(s.path);
    s.exists = file.exists();
    if (s.exists && file.open(QIODevice::ReadOnly))
        s.upToDate = file.readAll() == FlagdExporter::toBytes(snap);
    return s;
}

} // namespace sp
