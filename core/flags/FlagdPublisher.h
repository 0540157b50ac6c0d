#pragma once

#include "audit/AuditLog.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace sp {

class Workspace;

// Keeps a flagd flag-definition file current: after every change, from any process, the file is
// rewritten atomically (temp file + rename) from a fresh snapshot read under a lock file, so
// readers never see a partial file and the last writer always writes the newest state.
class FlagdPublisher
{
    Q_DECLARE_TR_FUNCTIONS(FlagdPublisher)

public:
    struct Status
    {
        QString path;          // empty: publishing is off
        bool exists = false;
        bool upToDate = false; // file content equals the workspace's current export
        int flags = 0;
        qint64 revision = 0;
    };

    explicit FlagdPublisher(Workspace &workspace) : m_ws(workspace) {}

    // Turns publishing on to path (checked and written at once) or off (empty path). Audited.
    void configure(const QString &path, const ChangeContext &ctx);
    QString path() const;
    Status status() const;

    // Rewrites the configured file, if any. Throws sp::Error if it cannot be written. Does nothing
    // inside a transaction: the code that opened it calls this again after committing.
    void publishIfConfigured() const;
    // Writes the current export to path atomically.
    void writeTo(const QString &path) const;
    QByteArray currentExport() const;

private:
    Workspace &m_ws;
};

} // namespace sp
