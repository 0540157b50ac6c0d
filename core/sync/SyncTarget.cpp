#include "sync/SyncTarget.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "sync/CollectionDiff.h"
#include "sync/DtcgFormat.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace sp {

QByteArray DtcgFileTarget::backup(bool *existed)
{
    *existed = QFileInfo::exists(m_path);
    return *existed ? readFileOrThrow(m_path) : QByteArray();
}

void DtcgFileTarget::restore(const QByteArray &content, bool existed)
{
    if (existed) {
        writeFileAtomically(m_path, content);
    } else if (QFileInfo::exists(m_path) && !QFile::remove(m_path)) {
        fail(tr("Could not remove %1 to restore its earlier absence.").arg(QDir::toNativeSeparators(m_path)));
    }
}

TargetWriteCounts DtcgFileTarget::writeFull(const VariableCollection &collection, const QByteArray &dtcg)
{
    // A full replace rewrites every variable: that is what the legacy import does and counts.
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    writeFileAtomically(m_path, dtcg.isEmpty() ? DtcgFormat::write(collection) : dtcg);
    return TargetWriteCounts{0, int(collection.variables.size()), 0};
}

TargetWriteCounts DtcgFileTarget::writeChanges(const VariableCollection &result, const CollectionDiff &diff, const QByteArray &dtcg)
{
    // A file cannot be patched in place without risking a half-written state, so the sync path
    // writes the whole result too, but only when something changed, and counts only the diff.
    if (!diff.isEmpty()) {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        writeFileAtomically(m_path, dtcg.isEmpty() ? DtcgFormat::write(result) : dtcg);
    }
    return TargetWriteCounts{diff.created(), diff.updated(), diff.deleted()};
}

} // namespace sp
